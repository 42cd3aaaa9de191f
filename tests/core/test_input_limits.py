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
