"""Several servers on one PostgreSQL database and one S3 store (moto's server on loopback): two
real `egov serve` processes (gunicorn, each with its own worker) on separate ports and separate
data folders. A paper uploaded through one is served by the other; the two workers never run the
same task twice."""

from __future__ import annotations

import os
import time

import pytest
import urllib3
from django.db import connection
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from egov.dossiers.models import DossierFile
from tests.core.servers_tasks import RUNS_TABLE, record_run
from tests.dossiers.conftest import World
from tests.dossiers.factories import applicant_data, fixture_bytes
from tests.factories import make_api_key
from tests.s3 import s3_server
from tests.servers import ROOT, EgovServe, http_get, postgres_url

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several servers share one PostgreSQL database (SQLite is one machine's file); "
           "run with EGOV_DATABASE_URL=postgres://...")]

@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two servers on the test database and one bucket; each has its own data folder, so nothing
    can pass between them on local disk."""
    from django.conf import settings

    with django_db_blocker.unblock(), s3_server() as store:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
        env.update(store.env, EGOV_DATABASE_URL=postgres_url(connection.settings_dict), EGOV_SECRET_KEY=settings.SECRET_KEY,
                   EGOV_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        root = tmp_path_factory.mktemp("servers")
        started = []
        try:
            # started together: both find the test database already migrated
            started = [EgovServe(env, root / "a").start(), EgovServe(env, root / "b").start()]
            first, second = (server.wait_ready() for server in started)
            yield store, root, first, second
        finally:
            for server in started:
                server.stop()


def test_a_paper_uploaded_through_one_server_is_served_by_the_other(servers, transactional_db, agency,
                                                                      other_agency, citizen):
    store, root, first, second = servers
    world = World(agency, other_agency, citizen)
    _, raw = make_api_key(agency, "dossiers:write")
    paper, other = world.procedure.papers.all()
    pdf, png = fixture_bytes("paper.pdf"), fixture_bytes("id_card.png")
    response = urllib3.request("POST", first + "/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"},
                               fields={"procedure": world.procedure.code, "agency": agency.code, **applicant_data(),
                                       f"paper_{paper.pk}": ("to-khai.pdf", pdf, "application/pdf"),
                                       f"paper_{other.pk}": ("cccd.png", png, "image/png")}, timeout=30)
    assert response.status == 201, response.data[:500]
    stored = DossierFile.objects.get(paper=paper)
    assert stored.file.name in store.keys() and store.read(stored.file.name) == pdf
    assert not [p for p in root.rglob("media/**/*") if p.is_file()]  # in the bucket, on no server's disk

    client = Client()
    client.force_login(world.counter)  # a session in the shared database
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = f"/ho-so/{stored.dossier_id}/giay-to/{stored.pk}/"
    assert http_get(second + url, cookie) == (200, pdf)
    assert http_get(second + url)[0] == 404  # the permission check still comes first
    assert http_get(second + "/media/" + stored.file.name)[0] == 404


def test_two_workers_never_run_the_same_task_twice(servers, transactional_db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {RUNS_TABLE} (key text PRIMARY KEY, pid integer NOT NULL)")
    try:
        keys = [f"run-{n}" for n in range(40)]
        ids = [record_run.enqueue(key=key).id for key in keys]
        deadline = time.monotonic() + 90
        while DBTaskResult.objects.filter(id__in=ids).exclude(
                status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]).exists():
            assert time.monotonic() < deadline, "the workers did not finish the tasks in 90 s"
            time.sleep(0.1)
        results = list(DBTaskResult.objects.filter(id__in=ids))
        assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}
        assert all(len(r.worker_ids) == 1 for r in results)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key, pid FROM {RUNS_TABLE}")
            runs = cursor.fetchall()
        assert sorted(key for key, _ in runs) == sorted(keys)  # each exactly once
        assert len({pid for _, pid in runs}) == 2  # and both workers took part
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")
