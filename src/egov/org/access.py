"""Who reaches which staff page: the guard on staff views and the staff menu, both asking the
permission engine (`org.permissions`), so the menu never offers a page that would answer
"forbidden"."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse

from egov.core.menu import all_items, work_counts
from egov.core.views import forbidden
from egov.org.permissions import can


def staff_required(permission: str = "staff.home"):
    """Only signed-in officials holding `permission` (any agency) reach the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, permission):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def menu_for(user) -> list[dict]:
    """The entries of every app's `MENU` that `user` may open."""
    entries = []
    is_official = getattr(user, "is_official", False)
    for item in all_items():
        if item.permission == "citizen":
            if is_official:
                continue
        elif not is_official:
            continue
        elif item.permission and not can(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "name": item.url_name, "badge": item.badge})
    if any(entry["badge"] for entry in entries):
        counts = work_counts(user)
        for entry in entries:
            entry["count"] = sum(counts.get(key, 0) for key in entry["badge"])
    return entries


def staff_menu(request) -> dict:
    """Context processor: the signed-in user's menu on every page."""
    user = getattr(request, "user", None)
    return {"staff_menu": menu_for(user) if user is not None and user.is_authenticated else []}
