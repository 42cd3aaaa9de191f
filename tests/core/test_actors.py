"""Users and API keys are one kind of actor: services ask them the same questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

import egov
from egov.core.actors import Actor, account_of, agency_of, is_api_key
from egov.org.roles import Role
from tests.factories import make_api_key, make_citizen, make_official

pytestmark = pytest.mark.django_db


def test_an_official_and_a_key_are_both_actors(agency):
    official = make_official(Role.COUNTER_OFFICER, agency=agency)
    key, _raw = make_api_key(agency, "dossiers:read")
    assert isinstance(official, Actor) and isinstance(key, Actor)
    assert (is_api_key(official), account_of(official), agency_of(official)) == (False, official, agency)
    # a key's work is kept under no account, in its agency's name
    assert (is_api_key(key), account_of(key), agency_of(key)) == (True, None, agency)


def test_nobody_a_visitor_and_a_citizen_act_for_no_agency(db):
    citizen = make_citizen()
    for who in (None, AnonymousUser(), "Hệ thống"):
        assert (is_api_key(who), account_of(who), agency_of(who)) == (False, None, None)
    assert (is_api_key(citizen), account_of(citizen), agency_of(citizen)) == (False, citizen, None)


def test_no_module_asks_getattr_whether_an_actor_is_a_key():
    src = Path(egov.__file__).resolve().parent
    asking = [str(path.relative_to(src)) for path in src.rglob("*.py")
              if path.name != "actors.py" and re.search(r"getattr\([^)]*[\"']is_api_key[\"']", path.read_text())]
    assert asking == [], "use actor.is_api_key or egov.core.actors.is_api_key(actor)"
