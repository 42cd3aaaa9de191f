"""Two egov instances A and B on loopback, each its own `egov serve`, database and data folder,
set up through their own commands and connected as each other's peers: for
tests/exchange/test_two_instances.py and bench/exchange_latency.py. What each instance does is
tests/exchange/instance.py, run by its own `egov manage shell`."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.exchange.instance import RESULT
from tests.servers import EgovServe

# A's agencies and B's have different identifier codes (mã định danh), as two provinces' would.
A_AGENCIES = [{"code": "000.00.01.H57", "name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế", "short": "UBND"}]
B_AGENCIES = [{"code": "000.00.01.H40", "name": "Ủy ban nhân dân tỉnh Quảng Trị", "short": "UBND"},
              {"code": "000.00.12.H40", "name": "Sở Nội vụ tỉnh Quảng Trị", "short": "SNV"}]
DEADLINE = 60  # seconds for anything to arrive: a hang fails the test instead of stalling CI


class Instance:
    """One egov instance: its server, and its own commands run against its database."""

    def __init__(self, name: str, env: dict[str, str], data_dir: Path, agencies: list[dict], workers: int = 1):
        self.name = name
        self.agencies = agencies
        self.people: dict[str, dict[str, str]] = {}
        self.server = EgovServe(env, data_dir, workers=workers)
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


def connect(a: Instance, b: Instance) -> None:
    """Each instance issues the other an exchange:write key and adds the other as a peer: its
    endpoint, the key to call it with, the key it calls us with, the agencies behind it. (A's
    commands and B's run side by side: each is a second or two of Python starting.)"""
    pairs = ((a, b), (b, a))
    keys = dict(zip("ab", both(lambda this, other: this.api_key(
        this.agencies[0]["code"], f"Liên thông với {other.agencies[0]['name']}"), pairs)))
    key_for = {a.name: keys["b"], b.name: keys["a"]}  # the key the other issued to this one

    def add_peer(this: Instance, other: Instance) -> None:
        out = this.egov("exchange", "peer", "add", "--name", other.agencies[0]["name"],
                        "--endpoint", other.base + "/api/v1/exchange/edxml", "--outbound-key", key_for[this.name],
                        "--inbound-key", key_for[other.name],
                        *[arg for spec in other.agencies for arg in ("--agency", f"{spec['code']}={spec['name']}")])
        assert out.strip().splitlines()[-1].isdigit(), out

    both(add_peer, pairs)


def both(action, pairs):
    """`action(this, other)` for A and B at once; the answers in order."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda pair: action(*pair), pairs))


def wait(what, condition, seconds: float = DEADLINE):
    """`what()` again until `condition(found)` holds; the last answer either way."""
    deadline = time.monotonic() + seconds
    while True:
        found = what()
        if condition(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def create_database(url: str, name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')



@contextlib.contextmanager
def two_instances(root: Path, env: dict[str, str], database_urls: tuple[str, str] | None = None, workers: int = 1):
    """A and B up (`env` plus, when given, each its EGOV_DATABASE_URL; SQLite files in their data
    folders otherwise), their agencies and people set up, each the other's peer; stopped at the end."""
    made = []
    try:
        for index, (name, agencies) in enumerate((("A", A_AGENCIES), ("B", B_AGENCIES))):
            instance_env = dict(env)
            if database_urls:
                instance_env["EGOV_DATABASE_URL"] = database_urls[index]
            made.append(Instance(name, instance_env, root / name.lower(), agencies, workers=workers))
        for instance in made:  # both migrate at once
            instance.server.start()
        for instance in made:
            instance.server.wait_ready()
        a, b = made
        a.people, b.people = both(lambda this, _: this.act("setup", agencies=this.agencies), ((a, b), (b, a)))
        connect(a, b)
        yield a, b
    finally:
        for instance in made:
            instance.server.stop()
