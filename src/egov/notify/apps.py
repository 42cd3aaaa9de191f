from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "egov.notify"
    label = "notify"
    verbose_name = "Thông báo"

    def ready(self):
        from egov.core import texting
        from egov.notify import receivers
        from egov.notify.services import receive_sms, send_sms

        texting.provide(send_sms, receive_sms)
        receivers.connect()
