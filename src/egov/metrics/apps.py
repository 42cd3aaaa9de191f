from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "egov.metrics"
    label = "metrics"
    verbose_name = "Chỉ số"
