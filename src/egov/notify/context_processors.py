"""The bell (chuông thông báo) in every page's header, for signed-in citizens and officials."""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse

from egov.notify.selectors import BELL_CAP, unread_count


class Bell:
    """Counted only when a page shows it (a fragment for htmx never does), once per page."""

    def __init__(self, user):
        self.user = user
        self.url = reverse("notification-list")

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)

    @property
    def label(self) -> str:
        return f"{BELL_CAP - 1}+" if self.unread >= BELL_CAP else str(self.unread)


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
