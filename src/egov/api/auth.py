"""API authentication: the browser's session, or `Authorization: Bearer <key>` for systems."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from egov.api.models import ApiKey, hash_key


class BearerKey(HttpBearer):
    def authenticate(self, request, token):
        if not token or not token.startswith("egov_"):
            return None
        # get(), not first(): the hash is unique, and first() would compile the model's ordering too.
        try:
            key = ApiKey.objects.select_related("agency").get(key_hash=hash_key(token), is_active=True)
        except ApiKey.DoesNotExist:
            return None
        # Bounded write: only touch the row when the stamp is more than a minute old.
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.api_key = key
        return key


class SessionUser(APIKeyCookie):
    """The signed-in browser user; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


bearer = BearerKey()
session = SessionUser()
# Staff and citizen routes accept either; public routes pass auth=None.
AUTH = [bearer, session]
