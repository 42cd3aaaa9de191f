from django.urls import path

from egov.notify import views

urlpatterns = [
    path("sms/", views.sms_list, name="sms-list"),
    path("cua-toi/", views.my_notifications, name="my-notifications"),
]
