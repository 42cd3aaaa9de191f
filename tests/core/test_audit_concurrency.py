"""Audit entries appended by parallel requests on PostgreSQL keep one unbroken chain per agency."""

import threading

import pytest
from django.db import connection, connections

from egov.core.audit import record, verify_chains
from egov.core.models import AuditEntry
from egov.org.roles import Role
from tests.factories import make_agency, make_official

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://..."),
]


def test_parallel_entries_of_one_agency_form_one_unbroken_chain():
    agency = make_agency(name="Cơ quan ghi nhật ký song song")
    officers = [make_official(Role.SPECIALIST, agency=agency) for _ in range(4)]
    record(officers[0], "document.assigned", agency)  # the chain exists; the race is on its head
    chain = AuditEntry.objects.filter(chain=f"agency:{agency.pk}")
    before = chain.count()
    barrier = threading.Barrier(len(officers))
    errors = []

    def append(officer):
        try:
            barrier.wait()
            for n in range(5):
                record(officer, "document.assigned", agency, summary={"note": f"lần {n}"})
        except Exception as exc:  # noqa: BLE001 - the test reports what each thread got
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    seqs = sorted(chain.values_list("seq", flat=True))
    assert seqs == list(range(1, before + 4 * 5 + 1))
    assert verify_chains()[1] == []
