from django.urls import path

from egov.notify import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("da-doc/", views.mark_read, name="notification-mark-read"),
    path("<int:pk>/mo/", views.open_notification, name="notification-open"),
    path("cai-dat/", views.preferences, name="notification-preferences"),
    path("sms/", views.sms_list, name="sms-list"),
    path("cua-toi/", views.my_notifications, name="my-notifications"),
    path("nhat-ky/", views.notification_log, name="notification-log"),
    path("mau/", views.template_list, name="notification-templates"),
    path("mau/<str:event>/<str:channel>/", views.template_edit, name="notification-template-edit"),
]
