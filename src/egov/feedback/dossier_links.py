"""Links feedback adds to the dossiers' SMS (found by notify.receivers through core.registry, since
dossiers may not import feedback): the result's text carries the page to rate the service."""

from django.conf import settings
from django.urls import reverse

from egov.feedback.ratings import rating_token


def rating_link(dossier) -> str:
    return settings.SITE_URL + reverse("service-rating", args=[rating_token(dossier)])


LINKS = {"result": rating_link}
