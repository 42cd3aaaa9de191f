from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "egov.org"
    label = "org"
    verbose_name = "Tổ chức"
