"""A citizen downloads a procedure's blank form from its page: the site streams it from the
storage (the media folder is not served, so a link to it would lead nowhere)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from tests.dossiers.factories import make_procedure

pytestmark = pytest.mark.e2e


def test_citizen_downloads_the_blank_form_from_the_procedure_page(page, shot):
    procedure = make_procedure(online="full")
    paper = procedure.papers.first()
    paper.form_template.save("to-khai.pdf", ContentFile(b"%PDF-1.7 mau to khai"))
    page.goto(f"/thu-tuc/{procedure.code}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải mẫu").click()
    download = info.value
    assert download.suggested_filename == "to-khai.pdf"
    assert Path(download.path()).read_bytes() == b"%PDF-1.7 mau to khai"
    shot(page, "mau-don")
