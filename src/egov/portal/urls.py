from django.urls import path

from egov.portal import views

urlpatterns = [
    path("", views.home, name="home"),
]
