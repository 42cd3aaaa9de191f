"""The bell (chuông thông báo) in every page's header, for signed-in citizens and officials."""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse

from egov.core.menu import work_counts
from egov.notify.selectors import BELL_CAP, unread_count


class Bell:
    """Counted only when a page shows it (a fragment for htmx never does), once per page."""

    def __init__(self, user):
        self.user = user
        self.url = reverse("notification-list")

    @cached_property
    def unread(self) -> int:
        if getattr(self.user, "is_official", False):
            # Counted with the staff menu's badges, in the one statement every staff page makes.
            return work_counts(self.user).get("notify.unread", 0)
        return unread_count(self.user)

    @property
    def label(self) -> str:
        return f"{BELL_CAP - 1}+" if self.unread >= BELL_CAP else str(self.unread)


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
