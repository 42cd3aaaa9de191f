from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "egov.webhooks"
    label = "webhooks"
    verbose_name = "Webhook"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.webhooks import events

        events.connect()
