"""Filing online with a procedure's tờ khai điện tử: checked on the server, printed as the first paper."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from egov.dossiers.models import Dossier, DossierFile
from egov.procedures.demo import FORMS_DIR
from tests.dossiers.factories import applicant_data, upload
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LLTP = json.loads((FORMS_DIR / "2.000488.json").read_text())


@pytest.fixture
def procedure(world):
    world.procedure.form_definition = LLTP  # paper 1 of the test procedure is its "Tờ khai"
    world.procedure.save()
    return world.procedure


def post(world, procedure, **extra):
    papers = list(procedure.papers.all())
    form = {**applicant_data(world.citizen), "agency": world.agency.pk, "token": "t-1", "submit": "1",
            f"paper_{papers[1].pk}": upload("id_card.png"),
            "f_person_name": "Lê Thị Hoa", "f_person_sex": "Nữ", "f_person_birth_date": "1995-04-02",
            "f_person_birthplace": "Huế", "f_person_nationality": "Việt Nam", "f_person_ethnicity": "Kinh",
            "f_permanent_residence": "12 Lê Lợi, Huế", "f_person_id": "046195000123",
            "f_family-0-relation": "Cha", "f_family-0-name": "Lê Văn Nam", "f_family-0-birth_date": "1960-01-02",
            "f_family-1-relation": "Mẹ", "f_family-1-name": "Phạm Thị Lan",
            "f_residence_history-0-period": "2009 - nay", "f_residence_history-0-place": "Huế",
            "f_criminal_record": "Không có án tích", "f_certificate_kind": "Số 1", "f_certificate_count": "2",
            "f_purpose": "Xin việc"}
    form.update(extra)
    return form


def test_filing_page_draws_the_form_in_place_of_its_paper(client, world, procedure):
    client.login(username=world.citizen.username, password=PASSWORD)
    page = client.get(reverse("dossier-file", args=[procedure.code])).content.decode()
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in page
    assert 'name="f_person_id"' in page and 'name="f_family-0-name"' in page
    assert page.count('type="file"') == 1 and "Được tạo từ tờ khai điện tử" in page


def test_filing_with_the_form_makes_its_pdf_the_first_paper(client, world, procedure):
    client.login(username=world.citizen.username, password=PASSWORD)
    response = client.post(reverse("dossier-file", args=[procedure.code]), post(world, procedure))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    first, second = dossier.files.all()
    assert first.paper_id == procedure.papers.first().pk and first.content_type == "application/pdf"
    assert first.original_name == "to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap.pdf"
    assert second.original_name == "id_card.png"
    with first.file.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP" in text
    assert "Lê Thị Hoa" in text and "046195000123" in text and "Phạm Thị Lan" in text
    assert world.agency.name in text and world.citizen.full_name in text
    assert dossier.form_data["person_birth_date"] == "1995-04-02"
    assert [r["name"] for r in dossier.form_data["family"]] == ["Lê Văn Nam", "Phạm Thị Lan"]


def test_a_bad_form_keeps_what_was_typed_and_names_each_field(client, world, procedure):
    client.login(username=world.citizen.username, password=PASSWORD)
    response = client.post(reverse("dossier-file", args=[procedure.code]),
                           post(world, procedure, f_person_id="001290012345", f_purpose="",
                                **{"f_family-1-name": "", "f_family-1-relation": "Bác", "f_family-2-name": "X"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "ghi năm sinh 2090" in page
    assert "Cần nhập “Mục đích sử dụng Phiếu lý lịch tư pháp”." in page
    assert "dòng 2: Cần nhập “Họ và tên”." in page
    assert 'value="Lê Thị Hoa"' in page and 'value="001290012345"' in page
    # Nothing is sent to the agency; the papers picked are kept with a draft, with the form as typed.
    draft = Dossier.objects.get()
    assert draft.status == Dossier.Status.DRAFT and draft.form_data["person_id"] == "001290012345"
    assert DossierFile.objects.filter(dossier=draft).count() == len(response.context["papers"]) - 1


def test_a_draft_keeps_the_form_unchecked(client, world, procedure):
    client.login(username=world.citizen.username, password=PASSWORD)
    form = post(world, procedure, f_person_id="123")
    del form["submit"]
    form["draft"] = "1"
    response = client.post(reverse("dossier-file", args=[procedure.code]), form)
    assert response.status_code == 302
    draft = Dossier.objects.get()
    assert draft.form_data["person_id"] == "123"
    page = client.get(response["Location"]).content.decode()
    assert 'value="123"' in page and 'value="Lê Văn Nam"' in page


def test_the_form_leads_the_papers_when_a_draft_held_some_already(client, world, procedure):
    client.login(username=world.citizen.username, password=PASSWORD)
    url = reverse("dossier-file", args=[procedure.code])
    refused = client.post(url, post(world, procedure, f_person_id="001290012345"))
    assert refused.status_code == 400
    draft = Dossier.objects.get()
    kept = draft.files.get()
    assert kept.original_name == "id_card.png"
    form = post(world, procedure, token="t-2", draft_id=draft.pk)
    del form[f"paper_{list(procedure.papers.all())[1].pk}"]  # kept with the draft, not picked again
    assert client.post(url, form).status_code == 302
    first, second = Dossier.objects.get().files.all()
    assert first.original_name == "to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap.pdf"
    assert (second.original_name, second.file.name) == ("id_card.png", kept.file.name)
    with second.file.open("rb") as handle:
        assert handle.read()[:4] == b"\x89PNG"
