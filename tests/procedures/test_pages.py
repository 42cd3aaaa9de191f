import io

import pytest
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.procedures import excel, selectors, services
from egov.procedures.models import AgencyProcedure, Process
from tests.factories import PASSWORD, make_official


@pytest.fixture
def catalogue(make_procedure, agency):
    birth = make_procedure()
    make_procedure(code="1.009794", name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
                   field=services.get_or_create_field("XD", "Xây dựng"), online_level=2, online_service="none",
                   levels=["province"], steps=None)
    services.adopt_procedure(actor=None, agency=agency, procedure=birth)
    return birth


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return user


@pytest.mark.parametrize("query", ["đăng ký khai sinh", "dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky"])
def test_public_list_search_with_or_without_diacritics(client, catalogue, query):
    page = client.get(reverse("procedure-list"), {"q": query}).content.decode()
    assert "Đăng ký khai sinh" in page and "giấy phép xây dựng" not in page


def test_public_list_filters_and_empty_result(client, catalogue, agency):
    url = reverse("procedure-list")
    assert "giấy phép xây dựng" in client.get(url, {"field": "XD"}).content.decode()
    assert "giấy phép xây dựng" not in client.get(url, {"agency": agency.code}).content.decode()
    assert "giấy phép xây dựng" in client.get(url, {"level": "province"}).content.decode()
    assert "Không tìm thấy thủ tục nào" in client.get(url, {"q": "zzzz"}).content.decode()
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_public_detail_says_what_to_bring_how_long_and_what_it_costs(client, catalogue, agency):
    response = client.get(reverse("procedure-detail", args=["1.001193"]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "4 ngày làm việc", "8.000 đồng", agency.name,
                 "Luật Hộ tịch năm 2014", "Giấy khai sinh", "Nộp hồ sơ trực tuyến", "/ho-so/nop/1.001193/",
                 "Thẩm định hồ sơ"):
        assert text in page, text
    assert "style=" not in page and "<script>" not in page


def test_no_online_button_when_not_filed_online(client, catalogue):
    page = client.get(reverse("procedure-detail", args=["1.009794"])).content.decode()
    assert "Nộp hồ sơ trực tuyến" not in page
    assert 'data-testid="file-online"' not in page


def test_unknown_procedure_is_404(client, db):
    assert client.get(reverse("procedure-detail", args=["9.999"])).status_code == 404


def test_agency_admin_adopts_and_edits_own_process(client, catalogue, other_agency):
    admin = login(client, make_official(Role.AGENCY_ADMIN, agency=other_agency))
    page = client.get(reverse("procedure-manage")).content.decode()
    assert "Áp dụng" in page and "Quy trình mặc định" not in page
    response = client.post(reverse("procedure-adopt", args=["1.001193"]), {"co-quan": other_agency.code})
    assert response.status_code == 302
    assert AgencyProcedure.objects.filter(agency=other_agency, procedure=catalogue).exists()
    url = reverse("procedure-process", args=["1.001193"]) + f"?co-quan={other_agency.code}"
    form = client.get(url)
    assert form.status_code == 200 and "Tiếp nhận hồ sơ" in form.content.decode()
    data = {"buoc-TOTAL_FORMS": "3", "buoc-INITIAL_FORMS": "0", "buoc-MIN_NUM_FORMS": "0", "buoc-MAX_NUM_FORMS": "30",
            "buoc-0-name": "Tiếp nhận", "buoc-0-role": "counter_officer", "buoc-0-share": "1",
            "buoc-1-name": "Xử lý", "buoc-1-role": "specialist", "buoc-1-share": "2"}
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert "còn thiếu 1 ngày làm việc" in bad.content.decode()
    assert not Process.objects.filter(agency=other_agency).exists()
    data["buoc-1-share"] = "3"
    assert client.post(url, data).status_code == 302
    process = selectors.process_for(catalogue, other_agency)
    assert process.agency == other_agency and [s.name for s in process.steps.all()] == ["Tiếp nhận", "Xử lý"]
    assert AuditEntry.objects.filter(action="procedure.process_set", actor=admin).exists()


def test_step_form_shows_field_errors(client, catalogue, agency):
    login(client, make_official(Role.SYSTEM_ADMIN, agency=agency))
    url = reverse("procedure-process", args=["1.001193"])
    data = {"buoc-TOTAL_FORMS": "1", "buoc-INITIAL_FORMS": "0", "buoc-MIN_NUM_FORMS": "0", "buoc-MAX_NUM_FORMS": "30",
            "buoc-0-name": "Xử lý", "buoc-0-role": "specialist", "buoc-0-share": "bốn"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Nhập một số" in response.content.decode()


def test_another_agencys_admin_cannot_touch_my_process(client, catalogue, agency, other_agency):
    login(client, make_official(Role.AGENCY_ADMIN, agency=other_agency))
    url = reverse("procedure-process", args=["1.001193"]) + f"?co-quan={agency.code}"
    assert client.get(url).status_code == 403
    assert client.post(reverse("procedure-adopt", args=["1.009794"]), {"co-quan": agency.code}).status_code == 403
    assert client.get(reverse("procedure-manage"), {"co-quan": agency.code}).status_code == 403


def test_excel_page_download_and_import(client, catalogue, agency):
    login(client, make_official(Role.SYSTEM_ADMIN, agency=agency))
    download = client.get(reverse("procedure-export"))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    data = download.content
    upload = io.BytesIO(data)
    upload.name = "danh-muc.xlsx"
    response = client.post(reverse("procedure-excel"), {"file": upload})
    assert response.status_code == 200 and "không đổi 2" in response.content.decode()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    book["Thủ tục"]["H2"] = "nhiều"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "sai.xlsx"
    response = client.post(reverse("procedure-excel"), {"file": buffer})
    page = response.content.decode()
    assert response.status_code == 400 and "Dòng 2, cột &#x27;Thời hạn&#x27;: phải là số dương" in page
    assert "chưa nhập dữ liệu nào" in page


def test_agency_admin_may_export_but_not_import(client, catalogue, agency):
    login(client, make_official(Role.AGENCY_ADMIN, agency=agency))
    assert client.get(reverse("procedure-export")).status_code == 200
    upload = io.BytesIO(excel.export_catalogue())
    upload.name = "danh-muc.xlsx"
    assert client.post(reverse("procedure-excel"), {"file": upload}).status_code == 403


@pytest.mark.parametrize("query", ["khai sinh con", "khaisinh", "KHAI SINH CON"])
def test_public_search_finds_with_some_of_the_words_best_first(client, catalogue, query):
    page = client.get(reverse("procedure-list"), {"q": query}).content.decode()
    assert "Đăng ký khai sinh" in page and "giấy phép xây dựng" not in page


def test_public_search_offers_a_suggestion_when_nothing_matches(client, catalogue):
    page = client.get(reverse("procedure-list"), {"q": "khaisihn"}).content.decode()
    assert "Không tìm thấy thủ tục nào phù hợp với “khaisihn”" in page
    assert 'Có phải bạn muốn tìm: <a href="?q=khai%20sinh" data-testid="suggestion">khai sinh</a>?' in page
    followed = client.get(reverse("procedure-list"), {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in followed
    nothing = client.get(reverse("procedure-list"), {"q": "zzzz"}).content.decode()
    assert "Hãy thử ít từ hơn hoặc từ khác" in nothing and "Có phải bạn muốn tìm" not in nothing
