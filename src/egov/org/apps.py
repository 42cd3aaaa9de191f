from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "egov.org"
    label = "org"
    verbose_name = "Tổ chức"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from egov.org import lockout
        from egov.org.checks import mail_configured
        from egov.org.middleware import mark_second_factor_need

        user_logged_in.connect(lockout.on_signed_in, dispatch_uid="egov.org.lockout")
        user_logged_in.connect(mark_second_factor_need, dispatch_uid="egov.org.second_factor")
        checks.register(mail_configured)
