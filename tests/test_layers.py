"""Imports point one way: `core` below `org` below `api` below the domain apps, and `signing`
below the documents and dossiers that use it. Every import counts, those inside functions too:
a lazy import hides a cycle from Python, not from this test."""

from __future__ import annotations

import ast
from pathlib import Path

import egov

SRC = Path(egov.__file__).resolve().parent
# The API app keeps keys bound to agencies, so it stands above org; every app's router plugs into it.
RANK = {"core": 0, "org": 1, "api": 2}
DOMAIN = 3
# Below what it names: signing under documents and dossiers; the exchange above documents and
# dossiers; webhooks above all three (they tell it what happened through signals).
FORBIDDEN = {
    "signing": {"documents", "dossiers", "webhooks"},
    # Documents tell notify (work assigned, due, overdue) through documents.signals.document_event.
    "documents": {"exchange", "webhooks", "feedback", "notify"},
    # Payments plug their box into the dossier page (dossier_panels), never the other way.
    # Dossiers, feedback and payments tell notify through their signals (notify.receivers) and
    # send their own texts (TRACUU answers, one-time codes) through core.texting.
    "dossiers": {"exchange", "webhooks", "feedback", "payments", "notify"},
    "exchange": {"webhooks"},
    # Feedback tells webhooks what happened through its signal; it sits beside documents.
    "feedback": {"webhooks", "exchange", "documents", "signing", "notify"},
    # Payments tell notify and webhooks what happened through payments.signals.payment_event.
    "payments": {"notify", "webhooks", "exchange", "documents", "feedback", "metrics"},
}
ALLOWED = {
    # org's own router (the agency directory, /me, the calendar) is written against the API shell.
    ("org.api", "api"),
}


def _imports(path: Path) -> set[str]:
    """The egov apps `path` imports from."""
    package = ["egov", *path.relative_to(SRC).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("egov.")}


def _violations() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if len(parts) < 2:  # settings, urls, cli, wsgi: the project, above every app
            continue
        app, module = parts[0], ".".join(parts[:2])
        for target in _imports(path):
            if target == app or not (SRC / target).is_dir() or (module, target) in ALLOWED:
                continue
            below = RANK.get(target, DOMAIN) < RANK.get(app, DOMAIN) or RANK.get(app, DOMAIN) == DOMAIN
            if not below or target in FORBIDDEN.get(app, ()):
                found.append(f"{path.relative_to(SRC)} imports egov.{target}")
    return found


def test_imports_point_down_the_layers():
    assert _violations() == []


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    app = tmp_path / "egov"
    for name in ("core", "org", "signing", "documents"):
        (app / name).mkdir(parents=True)
    (app / "core" / "menu.py").write_text("def menu():\n    from egov.org.permissions import can\n")
    (app / "signing" / "integration.py").write_text("def sign():\n    from egov.documents import services\n")
    (app / "org" / "models.py").write_text("from egov.core.audit import record\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", app)
    assert _violations() == ["core/menu.py imports egov.org", "signing/integration.py imports egov.documents"]
