"""Two live egov instances exchange documents (issue 10, "Proof and figures"): A and B are separate
`egov serve` processes on loopback, each with its own database (its own SQLite file in its own data
folder, or its own PostgreSQL database when the tests run on PostgreSQL) and its own files. Each is
set up through its own commands: migrate by `egov serve`, agencies and people by `egov manage shell`,
keys by `egov apikey create`, the other as its peer by `egov exchange peer add` (tests/exchange/pair.py).
The officials' actions are the document services run by `egov manage shell` in the instance
(tests/exchange/instance.py); what travels between the two goes over HTTP, by their workers."""

from __future__ import annotations

import os

import pytest
import urllib3
from django.db import connection

from tests.exchange.pair import A_AGENCIES, B_AGENCIES, DEADLINE, Instance, create_database, two_instances, wait
from tests.servers import ROOT, http_get, postgres_url


def api(instance: Instance, method: str, path: str, key: str, body: bytes | None = None,
        content_type: str = "application/json") -> tuple[int, dict]:
    response = urllib3.request(method, instance.base + path, body=body, timeout=30, retries=False,
                               headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
    return response.status, (response.json() if response.data else {})


@pytest.fixture(scope="module")
def instances(django_db_setup, django_db_blocker, tmp_path_factory):
    """A and B up, set up, each with a key the other calls it with. On PostgreSQL their databases
    are `<test database>_a` and `_b` on the test server, created here and dropped afterwards."""
    root = tmp_path_factory.mktemp("instances")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update(EGOV_LOG_LEVEL="WARNING", PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
               EGOV_EXCHANGE_RETRY_BASE_SECONDS="2")  # A retries within seconds, not half a minute
    databases = {}
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            admin = postgres_url(connection.settings_dict, "postgres")
            for name in "ab":
                databases[name] = f"{connection.settings_dict['NAME']}_{name}"
                create_database(admin, databases[name])
    try:
        urls = tuple(postgres_url(connection.settings_dict, name) for name in databases.values()) or None
        with two_instances(root, env, urls) as pair:
            yield pair
    finally:
        for name in databases.values():
            create_database(admin, name, drop=True)


def test_two_instances_run_apart_each_with_its_own_database(instances):
    a, b = instances
    assert http_get(a.base + "/readyz")[0] == http_get(b.base + "/readyz")[0] == 200
    assert a.act("agencies") == [spec["code"] for spec in A_AGENCIES]
    assert b.act("agencies") == sorted(spec["code"] for spec in B_AGENCIES)
    if connection.vendor != "postgresql":
        assert (a.data_dir / "egov.sqlite3").exists() and (b.data_dir / "egov.sqlite3").exists()
    key = a.api_key(A_AGENCIES[0]["code"], "Tra cứu thử", scopes="documents:read")
    assert api(a, "GET", "/api/v1/documents", key)[0] == 200
    assert api(b, "GET", "/api/v1/documents", key)[0] == 401  # A's keys are A's alone


def test_a_document_travels_from_a_to_b_and_its_statuses_come_back(instances):
    a, b = instances
    sender, receiver = A_AGENCIES[0]["code"], B_AGENCIES[1]["code"]
    to = [[receiver, B_AGENCIES[1]["name"]]]

    # A issues a document to B's department of home affairs: B registers it on arrival.
    first = a.act("issue", people=a.people[sender], to=to,
                  summary="Về việc phối hợp tổ chức Hội nghị liên thông văn bản điện tử")
    arrived = b.act("received", agency=receiver, count=1, seconds=DEADLINE)
    assert [(d["number_symbol"], d["status"], d["key"], d["files"]) for d in arrived] == [
        (first["number_symbol"], "registered", first["document_id"], 1)]
    assert arrived[0]["sender"] == A_AGENCIES[0]["name"]
    copy = arrived[0]["id"]

    # B's leader assigns it, the specialist finishes it; A sees 01, 03, 04 and 06 arrive.
    assert b.act("handle", people=b.people[receiver], document=copy) == {"status": "done"}
    expected = {receiver: ["01", "03", "04", "06"]}
    assert a.act("statuses", document=first["id"], expect=expected, seconds=DEADLINE) == expected

    # B is down while A issues again: A's outbox keeps the delivery and tries again later.
    b.server.stop()
    second = a.act("issue", people=a.people[sender], to=to, summary="Về việc báo cáo kết quả cải cách hành chính")
    rows = wait(lambda: a.act("outbox_rows", document=second["id"]), lambda rows: rows[0]["attempts"] >= 1)
    assert [(r["to_code"], r["state"]) for r in rows] == [(receiver, "pending")] and rows[0]["last_error"]
    b.server.start().wait_ready()  # the same data folder and database
    arrived = b.act("received", agency=receiver, count=2, seconds=DEADLINE)
    assert [d["key"] for d in arrived] == [first["document_id"], second["document_id"]]  # exactly one copy
    rows = wait(lambda: a.act("outbox_rows", document=second["id"]), lambda rows: rows[0]["state"] == "sent")
    assert rows[0]["state"] == "sent" and rows[0]["attempts"] >= 2
    assert a.act("statuses", document=second["id"], expect={receiver: ["01", "03"]}, seconds=DEADLINE) == {
        receiver: ["01", "03"]}

    # A recalls the second document: B's copy shows recalled, B's clerk agrees, A hears 15.
    a.act("recall", people=a.people[sender], document=second["id"], reason="Văn bản ban hành sai thẩm quyền")
    arrived = b.act("received", agency=receiver, count=2, status="recalled", seconds=DEADLINE)
    assert [d["status"] for d in arrived] == ["done", "recalled"]
    assert b.act("answer_recall", people=b.people[receiver], document=arrived[1]["id"], agree=True) == {
        "state": "agreed"}
    assert a.act("statuses", document=second["id"], expect={receiver: ["15"]}, seconds=DEADLINE) == {
        receiver: ["01", "03", "15"]}
    assert len(b.act("received", agency=receiver)) == 2  # nothing arrived twice
