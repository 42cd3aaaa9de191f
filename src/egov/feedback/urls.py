"""Feedback pages, mounted at the site root. Each view module defines its own `urlpatterns` and
the lane that adds a module adds its line here: public pages (/phan-anh/...) and ratings
(/danh-gia/...) spell their own prefixes; staff pages are under /can-bo/phan-anh/."""

from django.urls import include, path

from egov.feedback import views_public, views_ratings, views_staff

public_patterns: list = [*views_public.urlpatterns, *views_ratings.urlpatterns]
staff_patterns: list = [*views_staff.urlpatterns]

urlpatterns = [
    path("", include(public_patterns)),
    path("can-bo/phan-anh/", include(staff_patterns)),
]
