from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = "Liên thông"

    def ready(self):
        from egov.documents.signals import document_event
        from egov.exchange.panels import register as register_panels
        from egov.exchange.receivers import on_document_event

        register_panels()  # the document page's exchange panels and the drafting form's remote agencies
        # issuing sends to remote recipients; handling a received document reports back to its sender
        document_event.connect(on_document_event, dispatch_uid="exchange.outbox")
