from __future__ import annotations

from django.shortcuts import get_object_or_404

from egov.api.models import ApiKey
from egov.org.permissions import visible_agencies


def clients_visible_to(user):
    """The API keys an administrator manages: those of the agencies they see."""
    return (ApiKey.objects.filter(agency__in=visible_agencies(user))
            .select_related("agency", "created_by").order_by("-is_active", "-created_at"))


def get_visible_client(user, pk: int) -> ApiKey:
    return get_object_or_404(clients_visible_to(user), pk=pk)
