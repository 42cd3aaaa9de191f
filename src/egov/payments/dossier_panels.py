"""Boxes payments adds to the citizen's dossier page: dossiers may not import payments, so the page
asks each app's `dossier_panels` module (egov.core.registry) for its `panel(request, dossier)`."""

from __future__ import annotations


def panel(request, dossier) -> str:
    from egov.payments.views_pay import panel as payment_panel

    return payment_panel(request, dossier)
