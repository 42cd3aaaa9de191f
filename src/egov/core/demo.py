"""Demo data: each app contributes `<app>/demo.py` with `load(out)`; each set loads once. An app
whose demo has accounts to sign in with lists them in `account_table()`."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from egov.core.errors import DomainError
from egov.core.models import DemoLoad
from egov.core.registry import app_module

# Order matters: later sets build on earlier ones.
DEMO_APPS = ["org", "procedures", "dossiers", "documents", "signing", "exchange", "feedback", "payments", "metrics",
             "notify"]
DEMO_PASSWORD = "Demo@2026"


def load_all(out) -> list[str]:
    if not settings.DEMO_MODE:
        raise DomainError("Chỉ nạp dữ liệu mẫu ở chế độ trình diễn (EGOV_DEMO=1).")
    loaded = []
    for app in DEMO_APPS:
        module = app_module(f"egov.{app}", "demo")
        if module is None:
            continue
        name = getattr(module, "NAME", app)
        if DemoLoad.objects.filter(name=name).exists():
            continue
        out(f"Đang nạp dữ liệu mẫu: {name} ...")
        with transaction.atomic():
            module.load(out)
            DemoLoad.objects.create(name=name)
        loaded.append(name)
    return loaded


def demo_accounts() -> list[str]:
    """The demo sign-in accounts, a line each, from every app's `demo.account_table()`."""
    lines = []
    for app in DEMO_APPS:
        table = getattr(app_module(f"egov.{app}", "demo"), "account_table", None)
        if table is not None:
            lines.extend(table())
    return lines
