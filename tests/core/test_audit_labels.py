"""Every audit action has one Vietnamese wording, declared by the app that records it."""

from __future__ import annotations

import ast
from pathlib import Path

import egov
from egov.core.audit_labels import all_labels

SRC = Path(egov.__file__).resolve().parent
# `core.audit.record(actor, action, ...)` and the dossiers' thin wrapper `audit(actor, action, ...)`
RECORDERS = {"record", "audit"}


def _recorded_actions() -> tuple[set[str], list[str]]:
    """Action strings passed to the audit recorders in src/, and the calls whose action is not literal."""
    actions, unreadable = set(), []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        # a recorder's own body passes its `action` parameter on
        wrappers = [range(n.lineno, n.end_lineno + 1) for n in ast.walk(tree)
                    if isinstance(n, ast.FunctionDef) and n.name in RECORDERS]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2 or any(node.lineno in w for w in wrappers):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in RECORDERS or (isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                                         and getattr(node.func.value, "id", "") != "audit"):
                continue
            action = node.args[1]
            options = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    actions.add(option.value)
                else:
                    unreadable.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return actions, unreadable


def test_every_recorded_action_has_a_label():
    actions, unreadable = _recorded_actions()
    assert len(actions) > 40  # the scan finds the recorders at all
    assert not unreadable, f"audit actions must be string literals, so this test can check them: {unreadable}"
    missing = sorted(actions - set(all_labels()))
    assert not missing, f"add these actions to LABELS in their app's audit.py: {missing}"

