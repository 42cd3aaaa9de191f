from django.urls import path

from egov.api import views
from egov.api.root import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("can-bo/he-thong-ket-noi/", views.client_list, name="apikey-list"),
    path("can-bo/he-thong-ket-noi/tao/", views.client_create, name="apikey-create"),
    path("can-bo/he-thong-ket-noi/<int:pk>/", views.client_detail, name="apikey-detail"),
    path("can-bo/he-thong-ket-noi/<int:pk>/thu-hoi/", views.client_revoke, name="apikey-revoke"),
]
