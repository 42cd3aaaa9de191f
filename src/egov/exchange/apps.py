from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = "Liên thông"

    def ready(self):
        from egov.exchange.panels import register as register_panels

        register_panels()  # the document page's exchange panels and the drafting form's remote agencies
