"""The filled tờ khai điện tử of an online dossier: checked values and the PDF that becomes the
dossier's first paper (definitions and checks: egov.procedures.eforms)."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from egov.dossiers.uploads import CheckedUpload
from egov.procedures import eforms
from egov.procedures.eform_pdf import form_pdf


def filled_form(*, procedure, agency, values: dict, papers, signer: str, at=None) -> tuple[dict, CheckedUpload]:
    """Check `values` against the procedure's form (ValidationError naming each field) and print
    the filled form; the PDF stands for the required paper the definition names."""
    definition = procedure.form_definition
    units = eforms.load_units(definition)
    clean = eforms.clean_values(definition, values, units=units)
    day = timezone.localdate(at) if at else timezone.localdate()
    content = form_pdf(definition, clean, agency_name=agency.name, signer=signer, day=day, units=units)
    paper_id = eforms.form_paper_id(definition, papers)
    label = next((p.name for p in papers if p.pk == paper_id), None) or definition["title"]
    upload = CheckedUpload(label=label, original_name=f"{eforms.file_stem(definition['title'])}.pdf",
                           content=content, content_type="application/pdf",
                           sha256=hashlib.sha256(content).hexdigest(), paper_id=paper_id)
    return clean, upload


def page_form(procedure, papers, *, values: dict | None, errors: dict | None = None) -> dict | None:
    """The e-form as the filing page draws it (None: the procedure has no e-form)."""
    definition = procedure.form_definition
    if not definition:
        return None
    units = eforms.load_units(definition)
    return {"title": definition["title"], "basis": definition.get("basis", ""),
            "items": eforms.render_items(definition, values, errors, units),
            "options": eforms.unit_options(definition, units),
            "paper_id": eforms.form_paper_id(definition, papers)}


def read_form(procedure, post) -> dict | None:
    """The e-form's values as typed (None: the procedure has no e-form)."""
    return eforms.read_post(procedure.form_definition, post) if procedure.form_definition else None
