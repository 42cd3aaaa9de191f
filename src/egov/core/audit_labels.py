"""Vietnamese wording of audit actions, for the histories and the audit log shown to staff.

Each app names the actions it records in `<app>/audit.py` as `LABELS = {"action": "wording"}`,
as menus and permissions are declared, so an app that records a new action also words it, and a
history reads the same on every page.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

from egov.core.registry import egov_modules


@lru_cache(maxsize=1)
def all_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for module in egov_modules("audit"):
        for action, label in getattr(module, "LABELS", {}).items():
            if labels.get(action, label) != label:
                raise ImproperlyConfigured(f"audit action {action!r} is worded twice")
            labels[action] = label
    return labels


def action_label(action: str) -> str:
    return all_labels().get(action, action)
