from django.urls import path

from egov.webhooks import views

urlpatterns = [
    path("", views.subscription_list, name="webhook-list"),
    path("tao/", views.subscription_create, name="webhook-create"),
    path("<int:pk>/", views.subscription_detail, name="webhook-detail"),
    path("<int:pk>/gui-thu/", views.send_test, name="webhook-test"),
    path("<int:pk>/doi-khoa/", views.rotate_secret, name="webhook-rotate"),
    path("lan-gui/<int:pk>/", views.delivery_detail, name="webhook-delivery"),
    path("lan-gui/<int:pk>/gui-lai/", views.replay, name="webhook-replay"),
]
