from django.urls import include, path

from egov.feedback import views_ratings

# Mounted at the site root: each view module spells its own prefixes (spec of issue 12).
urlpatterns: list = [
    path("", include(views_ratings.urlpatterns)),
]
