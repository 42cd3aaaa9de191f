from django.urls import path

from egov.api.root import api

urlpatterns = [path("api/v1/", api.urls)]
