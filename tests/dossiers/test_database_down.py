"""While the database cannot be reached (a restart, a failover), every request is answered at once
with 503 and Retry-After -- JSON under /api/, a Vietnamese page elsewhere -- never a 500; once it
is back, the same requests succeed (the soak's fault run shows it against a real restart)."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def refuse(execute, sql, params, many, context):
    # What psycopg and sqlite3 raise, through Django, when the server is gone mid-connection.
    raise OperationalError("server closed the connection unexpectedly")


def test_requests_while_the_database_is_down_get_503_then_work_again(world):
    dossier = world.received()
    client = Client(raise_request_exception=False)
    pages = {"api": f"/api/v1/dossiers/track/{dossier.code}", "page": f"/ho-so/tra-cuu/{dossier.code}/",
             "stats": "/api/v1/stats/dossiers"}
    with connection.execute_wrapper(refuse):
        down = {label: client.get(path) for label, path in pages.items()}

    for label in ("api", "stats"):
        response = down[label]
        assert response.status_code == 503, (label, response.content[:300])
        assert response["Retry-After"] == "10"
        assert json.loads(response.content) == {"code": "unavailable",
                                                "message": "Hệ thống tạm thời gián đoạn. Vui lòng thử lại sau ít phút."}
    for label in ("page",):
        response = down[label]
        assert response.status_code == 503, (label, response.content[:300])
        assert response["Retry-After"] == "10"
        assert "Không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút." in response.content.decode()

    back = {label: client.get(path) for label, path in pages.items()}
    assert {label: response.status_code for label, response in back.items()} == dict.fromkeys(pages, 200)
    assert json.loads(back["api"].content)["code"] == dossier.code
