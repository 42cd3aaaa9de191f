from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from egov.core.calendar import forget_exceptions
        from egov.core.models import CalendarException

        def clear(**kwargs):
            forget_exceptions()

        post_save.connect(clear, sender=CalendarException, dispatch_uid="calendar-exceptions-saved", weak=False)
        post_delete.connect(clear, sender=CalendarException, dispatch_uid="calendar-exceptions-deleted", weak=False)
