"""Inside one egov instance of tests/exchange/test_two_instances.py: run by the instance's own
`egov manage shell -c` (its settings, its database, its data folder), it sets the instance up and
acts as the instance's officials through the document services, the way a clerk's clicks would.

    egov manage shell -c "from tests.exchange.instance import run; run('setup', '{...json...}')"

Each action prints its answer as one line `RESULT <json>`, which the test reads back."""

from __future__ import annotations

import json

RESULT = "RESULT "


def run(action: str, arguments: str = "{}") -> None:
    answer = ACTIONS[action](**json.loads(arguments))
    print(RESULT + json.dumps(answer, default=str, ensure_ascii=False), flush=True)


def setup(*, agencies: list[dict]) -> dict:
    """Agencies with the given identifier codes, each with the documents tests' people (a clerk, a
    leader, specialists in two departments); answers the people's usernames by agency code."""
    from django.conf import settings

    # The accounts never sign in here: minimal argon2 cost keeps the set-up to a second.
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS]
    from egov.org.models import Agency
    from tests.documents.conftest import build_world

    made = {}
    for spec in agencies:
        agency = Agency.objects.create(code=spec["code"], name=spec["name"], short_name=spec["short"])
        world = build_world(agency, short=spec["short"])
        made[agency.code] = {role: getattr(world, role).username
                             for role in ("clerk", "leader", "head", "specialist", "admin")}
    return made


def agencies() -> list[str]:
    from egov.org.models import Agency

    return sorted(Agency.objects.values_list("code", flat=True))


ACTIONS = {"setup": setup, "agencies": agencies}
