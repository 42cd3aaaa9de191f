import pytest

from egov.procedures import services
from tests.procedures.test_services import OWN_STEPS

API = "/api/v1/procedures"


@pytest.fixture
def catalogue(make_procedure, agency):
    birth = make_procedure()
    make_procedure(code="1.009794", name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
                   field=services.get_or_create_field("XD", "Xây dựng"), online_level=2, online_service="none",
                   levels=["province"], steps=None)
    services.adopt_procedure(actor=None, agency=agency, procedure=birth, steps=OWN_STEPS)
    return birth


def test_list_is_public_paginated_and_searchable(client, catalogue):
    body = client.get(API).json()
    assert body["count"] == 2 and {item["code"] for item in body["items"]} == {"1.001193", "1.009794"}
    item = next(i for i in body["items"] if i["code"] == "1.001193")
    assert item["field"] == {"code": "HT", "name": "Hộ tịch"} and item["files_online"] is True
    assert item["resolution_time"] == 4 and item["resolution_label"] == "4 ngày làm việc"
    assert item["url"] == "/thu-tuc/1.001193/"
    for query in ("đăng ký khai sinh", "dang ky khai sinh", "ĐĂNG KÝ", "Dang Ky Khai Sinh"):
        assert [i["code"] for i in client.get(API, {"q": query}).json()["items"]] == ["1.001193"]
    assert client.get(API, {"limit": 1}).json()["count"] == 2 and len(client.get(API, {"limit": 1}).json()["items"]) == 1


def test_list_filters(client, catalogue, agency):
    codes = lambda **params: [i["code"] for i in client.get(API, params).json()["items"]]
    assert codes(field="XD") == ["1.009794"]
    assert codes(agency=agency.code) == ["1.001193"]
    assert codes(level="province") == ["1.009794"]
    assert codes(online="1") == ["1.001193"] and codes(online="none") == ["1.009794"]
    assert client.get(API, {"level": "district"}).status_code == 422


def test_detail_shape(client, catalogue, agency):
    response = client.get(f"{API}/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["papers"][0] == {"order": 1, "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0,
                                 "mandatory": True, "form_template": None}
    assert body["fees"] == [{"kind": "charge", "name": "Lệ phí đăng ký", "amount": 8000, "note": ""}]
    assert body["process"]["agency"] is None and len(body["process"]["steps"]) == 4
    assert body["process"]["steps"][0]["role_label"] == "Cán bộ một cửa"
    assert body["agencies"] == [{"code": agency.code, "name": agency.name, "own_process": True}]
    assert body["file_online_url"].startswith("/ho-so/nop/1.001193")
    own = client.get(f"{API}/1.001193", {"agency": agency.code}).json()["process"]
    assert own["agency"] == agency.code and [s["share"] for s in own["steps"]] == [1, 3]
    assert client.get(f"{API}/1.009794").json()["file_online_url"] is None


def test_unknown_code_is_a_vietnamese_404(client, db):
    response = client.get(f"{API}/9.999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy thủ tục có mã 9.999999."}


def test_fields(client, catalogue):
    assert client.get(f"{API}/fields").json() == [{"code": "HT", "name": "Hộ tịch", "procedures": 1},
                                                  {"code": "XD", "name": "Xây dựng", "procedures": 1}]


def test_in_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/procedures" in paths and "/api/v1/procedures/{code}" in paths
