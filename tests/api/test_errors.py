"""Every error under /api/ is the documented JSON {"code", "message"} with the right status."""

import json
import logging

import pytest
from django.test import Client

from egov.org.roles import Role
from tests.factories import make_official


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == code and body["message"] and not body["message"].isascii()
    return body


@pytest.mark.parametrize("path", ["/api/v1/khong-co", "/api/v1/procedures/a/b/c", "/api/v2/procedures", "/api/"])
def test_an_unknown_address_under_the_api_is_a_json_404(client, db, path):
    assert_json_error(client.get(path), 404, "not_found")


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_method_a_route_does_not_take_is_a_json_405(client, db):
    response = client.delete("/api/v1/procedures")
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_session_call_without_its_csrf_token_is_a_json_403(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_official(Role.COUNTER_OFFICER))
    response = client.post("/api/v1/dossiers/000-1/actions", {"action": "accept"}, content_type="application/json")
    assert_json_error(response, 403, "csrf_failed")


def test_a_body_over_the_limit_is_a_json_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(make_official(Role.COUNTER_OFFICER))
    response = client.post("/api/v1/dossiers/000-1/actions", {"action": "accept", "note": "x" * 5000},
                           content_type="application/json")
    assert_json_error(response, 413, "too_large")


def test_a_body_that_is_not_json_is_a_json_400(client, db):
    client.force_login(make_official(Role.COUNTER_OFFICER))
    response = client.post("/api/v1/dossiers/000-1/actions", "{not json", content_type="application/json")
    assert_json_error(response, 400, "bad_request")


def test_an_uncaught_exception_is_a_logged_json_500(db, monkeypatch, caplog):
    from egov.procedures import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(selectors, "search_procedures", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/procedures")
    body = assert_json_error(response, 500, "server_error")
    assert "hỏng" not in body["message"]
    assert any(record.exc_info and "hỏng" in str(record.exc_info[1]) for record in caplog.records)


def test_a_multipart_body_without_its_boundary_is_a_json_400(client, db):
    response = client.generic("POST", "/api/v1/signatures/verify", b"", CONTENT_TYPE="multipart/form-data")
    assert_json_error(response, 400, "bad_request")


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-1", "2026-01-01T00:00"])
def test_a_date_is_iso_text_only(client, db, value):
    body = assert_json_error(client.get("/api/v1/stats/dossiers", {"to": value}), 422, "invalid")
    assert "YYYY-MM-DD" in body["message"]
