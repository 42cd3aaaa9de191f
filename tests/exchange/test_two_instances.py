"""Two live egov instances exchange documents (issue 10, "Proof and figures"): A and B are separate
`egov serve` processes on loopback, each with its own database (its own SQLite file in its own data
folder, or its own PostgreSQL database when the tests run on PostgreSQL) and its own files. Each is
set up through its own commands: migrate by `egov serve`, agencies and people by `egov manage shell`,
keys by `egov apikey create`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import urllib3
from django.db import connection

from tests.exchange.instance import RESULT
from tests.servers import ROOT, EgovServe, http_get, postgres_url

# A's agencies and B's have different identifier codes (mã định danh), as two provinces' would.
A_AGENCIES = [{"code": "000.00.01.H57", "name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế", "short": "UBND"}]
B_AGENCIES = [{"code": "000.00.01.H40", "name": "Ủy ban nhân dân tỉnh Quảng Trị", "short": "UBND"},
              {"code": "000.00.12.H40", "name": "Sở Nội vụ tỉnh Quảng Trị", "short": "SNV"}]


class Instance:
    """One egov instance: its server, and its own commands run against its database."""

    def __init__(self, name: str, env: dict[str, str], data_dir: Path):
        self.name = name
        self.server = EgovServe(env, data_dir)
        self.env = self.server.env
        self.data_dir = data_dir

    @property
    def base(self) -> str:
        return self.server.base

    def egov(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "egov.cli", *args], check=False, env=self.env,
                              cwd=self.data_dir, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{self.name}: egov {' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def act(self, action: str, **arguments):
        """An action of tests/exchange/instance.py run inside this instance; its answer."""
        code = f"from tests.exchange.instance import run; run({action!r}, {json.dumps(arguments)!r})"
        out = self.egov("manage", "shell", "-c", code)
        line = next(line for line in reversed(out.splitlines()) if line.startswith(RESULT))
        return json.loads(line[len(RESULT):])

    def api_key(self, agency: str, name: str, scopes: str = "exchange:write") -> str:
        return self.egov("apikey", "create", name, "--agency", agency, "--scopes", scopes).strip().splitlines()[-1]


def api(instance: Instance, method: str, path: str, key: str, body: bytes | None = None,
        content_type: str = "application/json") -> tuple[int, dict]:
    response = urllib3.request(method, instance.base + path, body=body, timeout=30, retries=False,
                               headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
    return response.status, (response.json() if response.data else {})


def _create_database(url: str, name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="module")
def instances(django_db_setup, django_db_blocker, tmp_path_factory):
    """A and B up, set up, each with a key the other calls it with. On PostgreSQL their databases
    are `<test database>_a` and `_b` on the test server, created here and dropped afterwards."""
    root = tmp_path_factory.mktemp("instances")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update(EGOV_LOG_LEVEL="WARNING", PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    databases = {}
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            admin = postgres_url(connection.settings_dict, "postgres")
            for name in "ab":
                databases[name] = f"{connection.settings_dict['NAME']}_{name}"
                _create_database(admin, databases[name])
    made = []
    try:
        for name in "ab":
            instance_env = dict(env)
            if databases:
                instance_env["EGOV_DATABASE_URL"] = postgres_url(connection.settings_dict, databases[name])
            made.append(Instance(name.upper(), instance_env, root / name))
        for instance in made:  # both migrate at once
            instance.server.start()
        for instance in made:
            instance.server.wait_ready()
        a, b = made
        a.people = a.act("setup", agencies=A_AGENCIES)
        b.people = b.act("setup", agencies=B_AGENCIES)
        yield a, b
    finally:
        for instance in made:
            instance.server.stop()
        for name in databases.values():
            _create_database(admin, name, drop=True)


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
