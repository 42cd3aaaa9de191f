"""Find the per-app modules (`menu`, `permissions`, `api`, `demo`) that plug an app in."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_module(app_name: str, submodule: str) -> ModuleType | None:
    """`<app_name>.<submodule>` if the app has it; errors inside an existing module propagate."""
    try:
        return import_module(f"{app_name}.{submodule}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_name}.{submodule}":
            raise
        return None


def egov_modules(submodule: str, *, exclude: tuple[str, ...] = ()) -> Iterator[ModuleType]:
    """Each installed egov app's `submodule`, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if config.name.startswith("egov.") and config.name not in exclude:
            module = app_module(config.name, submodule)
            if module is not None:
                yield module
