from django.urls import path

from egov.core import staff_views

urlpatterns = [
    path("can-bo/nhat-ky/", staff_views.audit_log, name="audit-log"),
    path("can-bo/lich-lam-viec/", staff_views.working_calendar, name="working-calendar"),
]
