"""No input answers a server error: long searches, dates at the ends of the calendar, huge numbers.

Each URL here answered 500 before the bounds in egov.core.limits.
"""

import pytest

from egov.core.text import search_terms
from egov.org.roles import Role
from tests.factories import make_api_key, make_official

THOUSAND_WORDS = " ".join(["a"] * 1000)
THOUSAND_DISTINCT = " ".join(f"tu{i}" for i in range(1000))


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message"} and body["message"]
    if code:
        assert body["code"] == code
    return body


def test_search_terms_are_capped_in_number_and_length():
    assert search_terms(THOUSAND_WORDS) == ["a"]
    assert search_terms(THOUSAND_DISTINCT) == [f"tu{i}" for i in range(10)]
    assert search_terms("x" * 5000) == ["x" * 200]
    assert search_terms("Quyết  định quyết") == ["quyet", "dinh"]


@pytest.mark.parametrize("query", [THOUSAND_WORDS, THOUSAND_DISTINCT])
def test_a_thousand_word_search_of_the_public_catalogue_answers(client, db, query):
    response = client.get("/api/v1/procedures", {"q": query})
    assert response.status_code == 200 and response.json() == {"items": [], "count": 0}
    assert client.get("/thu-tuc/", {"q": query}).status_code == 200


@pytest.mark.parametrize("path", ["/ho-so/", "/can-bo/co-quan/", "/can-bo/can-bo/", "/van-ban/tim-kiem/"])
def test_a_thousand_word_search_on_staff_lists_answers(client, agency, path):
    client.force_login(make_official(Role.LEADER, Role.AGENCY_ADMIN, agency=agency))
    assert client.get(path, {"q": THOUSAND_DISTINCT}).status_code == 200


def test_a_thousand_word_document_search_through_the_api_answers(client, agency):
    _key, raw = make_api_key(agency, "documents:read")
    response = client.get("/api/v1/documents", {"q": THOUSAND_DISTINCT}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_due_date_past_the_calendar_is_a_422_naming_the_range(client, db):
    response = client.get("/api/v1/calendar/due-date", {"start": "9999-12-31", "working_days": 999})
    body = assert_json_error(response, 422, "invalid")
    assert "start" in body["message"] and "01/01/1900" in body["message"]
    last = client.get("/api/v1/calendar/due-date", {"start": "2999-12-31", "working_days": 3650})
    assert last.status_code == 200 and last.json()["due_date"] > "3009-01-01"


@pytest.mark.parametrize("params", [{"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": "1899-12-31"}])
def test_statistics_refuse_dates_outside_the_calendar(client, db, params):
    body = assert_json_error(client.get("/api/v1/stats/dossiers", params), 422, "invalid")
    assert "31/12/2999" in body["message"]
    assert client.get("/api/v1/stats/dossiers", {"from": "1900-01-01", "to": "2999-12-31"}).status_code == 200


def test_the_statistics_page_says_which_dates_it_takes(client, agency):
    client.force_login(make_official(Role.LEADER, agency=agency))
    response = client.get("/ho-so/thong-ke/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "Ngày phải nằm trong khoảng từ 01/01/1900 đến 31/12/2999." in response.content.decode()


def test_document_search_refuses_dates_outside_the_calendar(client, agency):
    client.force_login(make_official(Role.LEADER, agency=agency))
    page = client.get("/van-ban/tim-kiem/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert page.status_code == 200 and "01/01/1900" in page.content.decode()
    _key, raw = make_api_key(agency, "documents:read")
    response = client.get("/api/v1/documents", {"date_to": "9999-12-31"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_json_error(response, 422, "invalid")


def test_calendar_arithmetic_past_year_9999_is_a_domain_error(db):
    import datetime as dt

    from egov.core.calendar import CalendarRangeError, WorkingCalendar

    calendar = WorkingCalendar(office_hours="07:30-11:30,13:30-17:00")
    with pytest.raises(CalendarRangeError) as caught:
        calendar.add_working_days(dt.date(9999, 12, 30), 5)
    assert caught.value.status == 422 and caught.value.message


@pytest.mark.parametrize("draft", ["abc", "99999999999999999999", "-1", "١٢"])
def test_a_draft_number_that_is_no_id_is_not_found(client, db, draft):
    from egov.core.limits import parse_id
    from tests.dossiers.factories import make_procedure
    from tests.factories import make_citizen

    assert parse_id(draft) is None and parse_id("12") == 12
    procedure = make_procedure()
    client.force_login(make_citizen())
    assert client.get(f"/ho-so/nop/{procedure.code}/").status_code == 200
    assert client.get(f"/ho-so/nop/{procedure.code}/", {"nhap": draft}).status_code == 404


HUGE = "99999999999999999999"


@pytest.mark.parametrize("path,params", [
    ("/api/v1/procedures", {"offset": HUGE}),
    ("/api/v1/procedures", {"limit": HUGE}),
    ("/api/v1/procedures", {"offset": 1_000_001}),
    ("/api/v1/agencies", {"offset": HUGE}),
    ("/api/v1/agencies", {"limit": 0}),
])
def test_huge_list_bounds_are_a_422(client, db, path, params):
    body = assert_json_error(client.get(path, params), 422, "invalid")
    assert next(iter(params)) in body["message"]


@pytest.mark.parametrize("path", ["/api/v1/procedures", "/api/v1/agencies", "/api/v1/documents"])
def test_every_list_has_one_shape(client, agency, path):
    _key, raw = make_api_key(agency, "documents:read")
    response = client.get(path, {"limit": 1, "offset": 1_000_000}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and set(response.json()) == {"items", "count"}
    assert response.json()["items"] == []


def test_document_api_refuses_ids_past_64_bits(client, agency):
    _key, raw = make_api_key(agency, "documents:read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert_json_error(client.get("/api/v1/documents", {"handler": HUGE}, **auth), 422, "invalid")
    assert_json_error(client.get(f"/api/v1/documents/{HUGE}", **auth), 422, "invalid")
    assert_json_error(client.get("/api/v1/documents/9223372036854775807", **auth), 404, "not_found")


def test_a_page_number_past_64_bits_shows_the_last_page(client, agency):
    client.force_login(make_official(Role.LEADER, Role.AGENCY_ADMIN, agency=agency))
    for path in ("/thu-tuc/", "/ho-so/", "/can-bo/co-quan/", "/van-ban/den/", "/van-ban/tim-kiem/"):
        assert client.get(path, {"page": HUGE, "direction": "incoming"}).status_code == 200, path


def test_an_id_past_64_bits_in_a_page_address_is_not_found(client, agency):
    client.force_login(make_official(Role.LEADER, Role.CLERK, agency=agency))
    for path in (f"/ho-so/{HUGE}/", f"/van-ban/{HUGE}/", f"/van-ban/{HUGE}/tep/{HUGE}/"):
        assert client.get(path).status_code == 404, path
