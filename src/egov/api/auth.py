"""API authentication: the browser's session, or `Authorization: Bearer <key>` for systems."""

from __future__ import annotations

from django.db import connection
from ninja.security import APIKeyCookie, HttpBearer

from egov.api import usage
from egov.api.models import ApiKey, hash_key
from egov.core import fixedsql
from egov.org.models import Agency


def active_key(raw: str) -> ApiKey | None:
    """The active key with this secret, its agency loaded. Every API call asks, so the statement is
    fixed SQL (egov.core.fixedsql): compiling the ORM query cost more than the lookup itself."""
    key_cols, agency_cols = fixedsql.columns(ApiKey, "k"), fixedsql.columns(Agency, "a")
    quote = connection.ops.quote_name
    with fixedsql.cursor() as cursor:
        cursor.execute(f"SELECT {key_cols.sql}, {agency_cols.sql} FROM {fixedsql.table(ApiKey)} k "
                       f"JOIN {fixedsql.table(Agency)} a ON a.{quote('id')} = k.{quote('agency_id')} "
                       f"WHERE k.{quote('key_hash')} = %s AND k.{quote('is_active')} = %s", [hash_key(raw), True])
        row = cursor.fetchone()
    if row is None:
        return None
    key = key_cols.build(row)
    key.agency = agency_cols.build(row, len(key_cols))
    return key


class BearerKey(HttpBearer):
    def authenticate(self, request, token):
        if not token or not token.startswith("egov_"):
            return None
        key = active_key(token)
        if key is None:
            return None
        usage.admit(key)  # 429 past its per-minute limit; usage written once a minute
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
