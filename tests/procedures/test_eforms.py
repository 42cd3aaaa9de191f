"""E-forms (tờ khai điện tử): definitions, ID numbers, values, the printed PDF and the editor page."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from egov.core.errors import PermissionDenied, ValidationError
from egov.org.models import AdministrativeUnit
from egov.org.roles import Role
from egov.procedures import eforms, services
from egov.procedures.demo import FORMS_DIR
from egov.procedures.eform_pdf import form_pdf
from tests.dossiers.factories import make_procedure
from tests.factories import PASSWORD, make_official

TODAY = dt.date(2026, 11, 29)
KHAI_SINH = json.loads((FORMS_DIR / "1.001193.json").read_text())
LLTP = json.loads((FORMS_DIR / "2.000488.json").read_text())
UNITS = eforms.Units({"01": "Thành phố Hà Nội", "46": "Thành phố Huế"}, {"00004": "Phường Ba Đình, Thành phố Hà Nội"})


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def khai_sinh_values(**extra) -> dict:
    values = {"requester_name": "Nguyễn Văn An", "requester_residence": "5 Hàng Bài, Hà Nội",
              "requester_id": "001090012345", "requester_relation": "Cha", "child_name": "Nguyễn Minh Khôi",
              "child_birth_date": "12/11/2026", "child_sex": "Nam", "child_ethnicity": "Kinh",
              "child_nationality": "Việt Nam", "child_birthplace": "Bệnh viện Phụ sản Hà Nội",
              "child_hometown": "Thành phố Hà Nội", "mother_name": "Trần Thị Bình", "mother_birth_year": "1992"}
    values.update(extra)
    return values


# -- the ID number ---------------------------------------------------------------------------
@pytest.mark.parametrize(("number", "fragment"), [
    ("001090012345", None),
    ("046301000001", None),  # a girl born 2001 in Thừa Thiên Huế
    ("00109001234", "đúng 12 chữ số (đã nhập 11)"),
    ("00109001234x", "chỉ gồm chữ số"),
    ("003090012345", "“003” không phải mã tỉnh"),
    ("001290012345", "ghi năm sinh 2090"),
    ("００１０９００１２３４５", "chỉ gồm chữ số"),  # full-width digits pass isdigit()
])
def test_id_number_structure(number, fragment):
    problem = eforms.id_number_problem(number, today=TODAY)
    assert (problem is None) if fragment is None else (fragment in problem)


def test_id_number_encodes_birth_year_and_sex():
    assert eforms.id_number_birth("046301000001") == (2001, "Nữ")
    assert eforms.id_number_birth("001090012345") == (1990, "Nam")


# -- definitions -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_shipped_forms_are_valid(path):
    assert eforms.definition_problems(json.loads(path.read_text())) == []


def test_definition_problems_are_listed_in_vietnamese():
    problems = eforms.definition_problems({"fields": [
        {"key": "a", "label": "Họ tên", "kind": "text"},
        {"key": "a", "label": "Tên khác", "kind": "text"},
        {"key": "Bad Key", "label": "X", "kind": "text"},
        {"key": "b", "label": "Giới tính", "kind": "choice", "choices": ["Nam"]},
        {"key": "c", "label": "Ảnh", "kind": "photo"},
        {"key": "d", "label": "Nhóm", "kind": "group", "min": 3, "max": 2,
         "fields": [{"key": "e", "label": "Trong", "kind": "group", "fields": []}]},
    ]})
    text = "\n".join(problems)
    assert "Thiếu tên tờ khai" in text
    assert "mã trường “a” bị trùng" in text
    assert "chữ thường không dấu" in text
    assert "cần danh sách “choices” từ 2 giá trị" in text
    assert "Trường thứ 5 (“Ảnh”): loại “photo” không có" in text
    assert "0 ≤ min ≤ max" in text
    assert "không đặt nhóm lặp lại trong nhóm lặp lại" in text


def test_bad_json_names_the_line():
    with pytest.raises(ValidationError) as caught:
        eforms.parse_definition('{"title": "Tờ khai",\n "fields": [}')
    assert "dòng 2" in caught.value.message


# -- values ----------------------------------------------------------------------------------
def test_values_are_checked_and_normalised():
    clean = eforms.clean_values(KHAI_SINH, khai_sinh_values(), units=UNITS, today=TODAY)
    assert clean["child_birth_date"] == "2026-11-12"
    assert clean["child_hometown"] == "01"
    assert clean["mother_id"] == ""


def test_bad_id_missing_required_and_wrong_choice_each_name_their_field():
    values = khai_sinh_values(requester_id="001290012345", child_sex="Khác", child_birth_date="30/02/2026")
    del values["child_name"]
    with pytest.raises(ValidationError) as caught:
        eforms.clean_values(KHAI_SINH, values, units=UNITS, today=TODAY)
    errors = caught.value.details["fields"]
    assert "ghi năm sinh 2090" in errors["f_requester_id"]
    assert errors["f_child_name"] == "Cần nhập “Họ, chữ đệm, tên”."
    assert "chọn một trong các giá trị Nam, Nữ" in errors["f_child_sex"]
    assert "ngày/tháng/năm" in errors["f_child_birth_date"]
    assert "(và 3 lỗi khác)" in caught.value.message


def test_future_birth_and_unknown_unit_are_refused():
    with pytest.raises(ValidationError) as caught:
        eforms.clean_values(KHAI_SINH, khai_sinh_values(child_birth_date="2026-12-01", child_hometown="Atlantis"),
                            units=UNITS, today=TODAY)
    errors = caught.value.details["fields"]
    assert "không được sau ngày hôm nay" in errors["f_child_birth_date"]
    assert "không tìm thấy đơn vị hành chính “Atlantis”" in errors["f_child_hometown"]


def lltp_values(**extra):
    values = {"person_name": "Lê Thị Hoa", "person_sex": "Nữ", "person_birth_date": "1995-04-02",
              "person_birthplace": "Huế", "person_nationality": "Việt Nam", "person_ethnicity": "Kinh",
              "permanent_residence": "12 Lê Lợi, Huế", "person_id": "046195000123", "criminal_record": "Không có án tích",
              "certificate_kind": "Số 1", "certificate_count": "2", "purpose": "Xin việc",
              "family": [{"relation": "Cha", "name": "Lê Văn Nam", "birth_date": "02/01/1960"},
                         {"relation": "", "name": "", "birth_date": ""}],
              "residence_history": [{"period": "2009 - nay", "place": "Huế", "occupation": "Kế toán"}]}
    values.update(extra)
    return values


def test_repeatable_group_rows_are_checked_and_blank_rows_dropped():
    clean = eforms.clean_values(LLTP, lltp_values(), units=UNITS, today=TODAY)
    assert clean["family"] == [{"relation": "Cha", "name": "Lê Văn Nam", "birth_date": "1960-01-02"}]
    with pytest.raises(ValidationError) as caught:
        eforms.clean_values(LLTP, lltp_values(family=[{"relation": "Cha", "name": ""}, {"relation": "Bác", "name": "X"}],
                                              residence_history=[]), units=UNITS, today=TODAY)
    errors = caught.value.details["fields"]
    assert errors["f_family-0-name"] == "Thông tin về cha, mẹ, vợ hoặc chồng, dòng 1: Cần nhập “Họ và tên”."
    assert "dòng 2" in errors["f_family-1-relation"]
    assert errors["f_residence_history"] == "“Quá trình cư trú (từ đủ 14 tuổi)”: cần ít nhất 1 dòng."


def test_read_post_reads_rows_by_their_names():
    post = {"f_person_name": " Lê Thị Hoa ", "f_family-0-name": "Lê Văn Nam", "f_family-0-relation": "Cha",
            "f_family-3-name": "Phạm Thị Lan", "f_family-3-relation": "Mẹ"}
    values = eforms.read_post(LLTP, post)
    assert values["person_name"] == "Lê Thị Hoa"
    assert [r["name"] for r in values["family"]] == ["Lê Văn Nam", "Phạm Thị Lan"]
    assert values["residence_history"] == []


# -- the PDF ---------------------------------------------------------------------------------
def test_pdf_holds_the_values_in_vietnamese():
    clean = eforms.clean_values(KHAI_SINH, khai_sinh_values(), units=UNITS, today=TODAY)
    text = pdf_text(form_pdf(KHAI_SINH, clean, agency_name="Ủy ban nhân dân phường Ba Đình",
                             signer="Nguyễn Văn An", units=UNITS, day=TODAY))
    for expected in ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân phường Ba Đình", "Nguyễn Minh Khôi",
                     "12/11/2026", "Thành phố Hà Nội", "001090012345", "Trần Thị Bình",
                     "Ngày 29 tháng 11 năm 2026", "Thông tư số 04/2024/TT-BTP"):
        assert expected in text


def test_pdf_prints_group_rows_as_a_table():
    clean = eforms.clean_values(LLTP, lltp_values(), units=UNITS, today=TODAY)
    text = pdf_text(form_pdf(LLTP, clean, units=UNITS, day=TODAY))
    assert "Lê Văn Nam" in text and "02/01/1960" in text and "Kế toán" in text


# -- the service and the editor --------------------------------------------------------------
@pytest.fixture
def admin(db):
    return make_official(Role.SYSTEM_ADMIN)


def test_only_system_administrators_set_a_form(db, admin, agency):
    procedure = make_procedure()
    with pytest.raises(PermissionDenied):
        services.set_form_definition(actor=make_official(Role.AGENCY_ADMIN, agency=agency), procedure=procedure,
                                     definition=KHAI_SINH)
    services.set_form_definition(actor=admin, procedure=procedure, definition=KHAI_SINH)
    procedure.refresh_from_db()
    assert procedure.form_definition["title"] == "Tờ khai đăng ký khai sinh"
    with pytest.raises(ValidationError):
        services.set_form_definition(actor=admin, procedure=procedure, definition={"title": "X", "fields": []})


def test_editor_previews_saves_and_refuses_bad_json(client, admin):
    AdministrativeUnit.objects.create(code="01", name="Thành phố Hà Nội", level="province")
    procedure = make_procedure()
    client.login(username=admin.username, password=PASSWORD)
    url = reverse("procedure-form", args=[procedure.code])
    assert client.get(url).status_code == 200
    text = json.dumps(KHAI_SINH, ensure_ascii=False)
    page = client.post(url, {"definition": text, "action": "preview"}).content.decode()
    assert 'name="f_child_name"' in page and "Thành phố Hà Nội</option>" in page
    procedure.refresh_from_db()
    assert procedure.form_definition == {}
    response = client.post(url, {"definition": '{"title": "Tờ khai", "fields": [{"kind": "text"}]}', "action": "save"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Trường thứ 1: thiếu nhãn" in page and "mã trường (“key”)" in page
    assert client.post(url, {"definition": text, "action": "save"}).status_code == 302
    procedure.refresh_from_db()
    assert procedure.form_definition == KHAI_SINH
    sample = client.get(reverse("procedure-form-sample", args=[procedure.code]))
    assert sample["Content-Type"] == "application/pdf" and "Bản xem trước" in pdf_text(sample.content)


def test_id_number_must_match_the_declared_birth_year_and_sex():
    with pytest.raises(ValidationError) as caught:
        eforms.clean_values(LLTP, lltp_values(person_birth_date="1996-04-02"), units=UNITS, today=TODAY)
    assert caught.value.details["fields"]["f_person_id"] == (
        "“Số định danh cá nhân”: số này ghi năm sinh 1995, khác năm sinh đã khai (1996).")
    with pytest.raises(ValidationError) as caught:
        eforms.clean_values(LLTP, lltp_values(person_sex="Nam"), units=UNITS, today=TODAY)
    assert "là của người nữ, khác giới tính đã khai (Nam)" in caught.value.details["fields"]["f_person_id"]


def test_id_number_links_must_name_a_date_and_a_choice():
    problems = eforms.definition_problems({"title": "T", "fields": [
        {"key": "name", "label": "Họ tên", "kind": "text"},
        {"key": "id", "label": "Số định danh", "kind": "id_number", "birth_field": "name", "sex_field": "sex"}]})
    assert "“birth_field” phải là mã một trường ngày của tờ khai (đang là “name”)" in problems[0]
    assert "“sex_field” phải là mã một trường lựa chọn" in problems[1]


def test_a_commune_is_found_by_its_name_typed_without_diacritics():
    khai_tu = json.loads((FORMS_DIR / "1.000656.json").read_text())
    field = next(f for f in khai_tu["fields"] if f.get("key") == "death_commune")
    assert eforms._clean_one(field, "phuong ba dinh, thanh pho ha noi", UNITS, TODAY) == ("00004", None)
    assert eforms._clean_one(field, "Phường Ba Đình", UNITS, TODAY) == ("00004", None)  # the only one so named
    assert eforms._clean_one(field, "Phường Kim Mã", UNITS, TODAY)[1] == (
        "“Xã, phường nơi chết”: không tìm thấy đơn vị hành chính “Phường Kim Mã”.")
    items = eforms.render_items(khai_tu, {"death_commune": "00004"}, {}, UNITS)
    shown = next(i for i in items if i.get("name") == "f_death_commune")
    assert shown["value"] == "Phường Ba Đình, Thành phố Hà Nội"
