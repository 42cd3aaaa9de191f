from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def hash_key(raw: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """An external system's key (khóa API), bound to an agency and a set of scopes.

    Only a hash is stored; the key itself is shown once, when it is created.
    """

    name = models.CharField("tên hệ thống", max_length=120)
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="api_keys",
                               verbose_name="cơ quan")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField("phạm vi", default=list)
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField("lần dùng gần nhất", null=True, blank=True)
    # Written by the auth path at most once a minute per key and process (see api.usage), so
    # it trails the truth by up to a minute.
    request_count = models.BigIntegerField("số yêu cầu", default=0)
    rate_limit = models.PositiveIntegerField(
        "giới hạn (yêu cầu/phút)", null=True, blank=True,
        help_text="Để trống: không giới hạn. Mỗi tiến trình máy chủ đếm riêng.")

    is_api_key = True
    is_authenticated = True

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def display_name(self) -> str:
        return f"API: {self.name}"

    @property
    def is_active_key(self) -> bool:
        return self.is_active

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def role_codes(self) -> frozenset[str]:
        return frozenset()

    @property
    def official_or_none(self):
        return None

    @property
    def account(self):
        return None  # rows name people: a key's work is kept under no account

    @property
    def acting_agency(self):
        return self.agency

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """(raw key, prefix, hash) for a new key."""
        prefix = secrets.token_hex(4)
        raw = f"egov_{prefix}_{secrets.token_urlsafe(32)}"
        return raw, prefix, hash_key(raw)
