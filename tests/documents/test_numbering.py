"""Gapless register numbers under concurrency (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from egov.documents.models import RegisterCounter
from egov.documents.numbering import next_number
from tests.factories import make_agency

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://...")


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction():
    agency = make_agency()
    with pytest.raises(RuntimeError):
        next_number(agency, "incoming", 2026)


def test_a_rolled_back_number_is_given_again(db):
    agency = make_agency()
    with transaction.atomic():
        assert next_number(agency, "incoming", 2026) == 1
    try:
        with transaction.atomic():
            assert next_number(agency, "incoming", 2026) == 2
            raise RuntimeError("the registration failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert next_number(agency, "incoming", 2026) == 2


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_gapless_unique_numbers():
    from egov.documents import services
    from egov.documents.models import Document
    from egov.org.roles import Role
    from tests.factories import make_official

    agency = make_agency()
    clerk = make_official(Role.CLERK, agency=agency)
    from tests.documents.conftest import doc_type as get_type

    doc_type = get_type("CV")
    threads, per_thread, errors = 8, 5, []
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                services.register_incoming(actor=clerk, agency=agency, doc_type=doc_type, summary="V/v thử đồng thời")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    numbers = sorted(Document.objects.filter(agency=agency).values_list("register_number", flat=True))
    assert numbers == list(range(1, threads * per_thread + 1))
    assert RegisterCounter.objects.get(agency=agency, kind="incoming").last_number == threads * per_thread


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_numbers_of_a_new_year_do_not_collide():
    agency = make_agency()
    results, errors = [], []
    barrier = threading.Barrier(6)

    def work():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(next_number(agency, "outgoing", 2031))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors and sorted(results) == [1, 2, 3, 4, 5, 6]
