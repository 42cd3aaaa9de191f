"""Officers read a paper's kind ("PDF", "Ảnh PNG") beside it, never its MIME type."""

import pytest
from django.urls import reverse

from egov.core.uploads import kind_name
from egov.dossiers.models import Dossier
from tests.dossiers.test_pages import filing_form, login

pytestmark = pytest.mark.django_db


def test_dossier_page_names_paper_kinds_not_mime_types(client, world):
    login(client, world.citizen).post(reverse("dossier-file", args=[world.procedure.code]), filing_form(world))
    dossier = Dossier.objects.get()
    page = login(client, world.counter).get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert "(PDF," in page and "(Ảnh PNG," in page
    assert "application/pdf" not in page.split('id="files-title"')[1].split("</section>")[0]
    assert "image/png" not in page


@pytest.mark.parametrize("content_type, shown", [
    ("application/pdf", "PDF"), ("image/jpeg", "Ảnh JPEG"), ("IMAGE/PNG", "Ảnh PNG"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Tài liệu Word"),
    ("image/webp", "Ảnh"), ("application/octet-stream", "Tệp"), ("", "Tệp")])
def test_kind_names(content_type, shown):
    assert kind_name(content_type) == shown
