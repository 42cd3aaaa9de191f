"""Fixed SQL (egov.core.fixedsql): rows it writes and instances it builds match the ORM's."""

import pytest
from django.db import connection
from django.db.models.signals import post_save

from egov.api.models import ApiKey, hash_key
from egov.core import fixedsql
from egov.org.models import Agency
from tests.factories import make_api_key


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_inserted_rows_read_back_through_the_orm_as_written(agency):
    keys = fixedsql.insert([ApiKey(name="Hệ thống A", agency=agency, prefix="aaaa1111", key_hash=hash_key("a"),
                                   scopes=["dossiers:write", "dossiers:read"]),
                            ApiKey(name="Hệ thống B", agency=agency, prefix="bbbb2222", key_hash=hash_key("b"),
                                   is_active=False)])
    assert all(k.pk for k in keys) and keys[0].pk != keys[1].pk
    assert keys[0].created_at is not None  # auto_now_add, as save() would set it
    for key in keys:
        assert _values(ApiKey.objects.get(pk=key.pk)) == _values(key)
        assert not key._state.adding


def test_built_instances_equal_the_orms(agency):
    key = fixedsql.insert([ApiKey(name="Hệ thống", agency=agency, prefix="cccc3333", key_hash=hash_key("c"),
                                  scopes=["sms:inbound"])])[0]
    key_cols, agency_cols = fixedsql.columns(ApiKey, "k"), fixedsql.columns(Agency, "a")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key_cols.sql}, {agency_cols.sql} FROM {fixedsql.table(ApiKey)} k, "
                       f"{fixedsql.table(Agency)} a WHERE k.id = %s AND a.id = k.agency_id", [key.pk])
        row = cursor.fetchone()
    built, built_agency = key_cols.build(row), agency_cols.build(row, len(key_cols))
    assert _values(built) == _values(ApiKey.objects.get(pk=key.pk))
    assert _values(built_agency) == _values(Agency.objects.get(pk=agency.pk))
    assert built.scopes == ["sms:inbound"] and built.is_active is True


def test_a_model_with_save_receivers_is_saved_through_the_orm(agency):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.name, created))

    post_save.connect(receiver, sender=ApiKey, weak=False)
    try:
        fixedsql.insert([ApiKey(name="Hệ thống D", agency=agency, prefix="dddd4444", key_hash=hash_key("d"))])
    finally:
        post_save.disconnect(receiver, sender=ApiKey)
    assert seen == [("Hệ thống D", True)]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_fixed_statements_are_prepared_on_postgresql_and_the_orms_are_not(agency):
    """The busiest lookups skip planning on the server; ORM queries (search among them, tuned to
    their values) keep a plan of their own for each call."""
    from egov.api.auth import active_key

    _, raw = make_api_key(agency, "dossiers:write")
    assert active_key(raw).agency == agency
    list(Agency.objects.filter(name__startswith="Ủy ban"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"key_hash" = $1' in statement for statement in prepared), prepared
    assert not any("LIKE" in statement for statement in prepared), prepared
