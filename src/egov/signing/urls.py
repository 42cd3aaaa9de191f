from django.urls import path

from egov.signing import views

urlpatterns = [
    path("kiem-tra/", views.verify, name="signing-verify"),
    path("ky/", views.sign, name="signing-sign"),
    path("cua-toi/", views.my_certificates, name="signing-my-certificates"),
    path("co-quan/", views.agency_certificates, name="signing-agency-certificates"),
    path("chung-thu/<int:pk>/ngung-su-dung/", views.deactivate, name="signing-deactivate"),
    path("chung-thu-goc/", views.trusted_roots, name="signing-trusted-roots"),
    path("chung-thu-goc/<int:pk>/bo/", views.remove_root, name="signing-remove-root"),
]
