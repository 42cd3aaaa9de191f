"""Concurrency on PostgreSQL (row locks): gapless codes under parallel intake; one officer wins a race."""

import threading

import pytest
from django.db import connection, connections, transaction

from egov.core.errors import StateError
from egov.dossiers import services, workflow
from egov.dossiers.models import Dossier
from egov.notify.models import SmsMessage
from egov.notify.services import send_sms
from egov.org.roles import Role
from tests.dossiers.factories import applicant_data, make_procedure
from tests.factories import make_agency, make_citizen, make_official

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://..."),
]


def run_parallel(count: int, work):
    """Start `count` threads at once; collect (index, result or exception)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_parallel_intake_keeps_codes_gapless_and_unique():
    agency = make_agency(name="Bộ phận một cửa thử tải")
    officers = [make_official(Role.COUNTER_OFFICER, agency=agency) for _ in range(4)]
    procedure = make_procedure(steps=[])
    per_thread = 5

    def intake(index):
        return [services.register_at_counter(officer=officers[index], procedure=procedure,
                                             data=applicant_data(applicant_name=f"Người nộp {index}-{n}")).code
                for n in range(per_thread)]

    results = run_parallel(len(officers), intake)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = sorted(code for batch in results for code in batch)
    sequences = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert sequences == list(range(1, len(officers) * per_thread + 1))
    assert len(set(codes)) == len(codes) == Dossier.objects.count()


def test_two_officers_accepting_at_once_exactly_one_succeeds():
    agency = make_agency(name="Cơ quan hai cán bộ")
    first, second = (make_official(Role.COUNTER_OFFICER, agency=agency) for _ in range(2))
    citizen = make_citizen()
    procedure = make_procedure(steps=[])
    from tests.dossiers.factories import papers_for

    dossier = services.submit_online(actor=citizen, procedure=procedure, agency=agency, data=applicant_data(citizen),
                                     uploads=papers_for(procedure))
    officers = [first, second]

    def accept(index):
        return services.accept(dossier=Dossier.objects.get(pk=dossier.pk), officer=officers[index])

    results = run_parallel(2, accept)
    wins = [r for r in results if isinstance(r, Dossier)]
    conflicts = [r for r in results if isinstance(r, StateError)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert "người khác" in conflicts[0].message
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RECEIVED and dossier.code.endswith("-0001")


def test_two_specialists_forwarding_the_same_step_exactly_one_succeeds():
    agency = make_agency(name="Cơ quan hai chuyên viên")
    counter = make_official(Role.COUNTER_OFFICER, agency=agency)
    specialists = [make_official(Role.SPECIALIST, agency=agency) for _ in range(2)]
    make_official(Role.LEADER, agency=agency)
    procedure = make_procedure()
    dossier = services.register_at_counter(officer=counter, procedure=procedure, data=applicant_data())
    workflow.forward(dossier=dossier, officer=counter)
    loaded = [Dossier.objects.select_related("current_step").get(pk=dossier.pk) for _ in range(2)]

    def forward(index):
        return workflow.forward(dossier=loaded[index], officer=specialists[index])

    results = run_parallel(2, forward)
    assert sum(isinstance(r, Dossier) for r in results) == 1, results
    assert sum(isinstance(r, StateError) for r in results) == 1, results
    assert Dossier.objects.get(pk=dossier.pk).steps.count() == 3


def test_parallel_double_submit_with_one_key_creates_one_dossier():
    agency = make_agency(name="Cơ quan nộp trùng")
    citizen = make_citizen()
    procedure = make_procedure(papers=())

    def submit(index):
        return services.submit_online(actor=citizen, procedure=procedure, agency=agency, data=applicant_data(citizen),
                                      idempotency_key="same-key").pk

    results = run_parallel(3, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1 and Dossier.objects.count() == 1


def test_parallel_writes_creating_the_same_tally_row_all_count():
    """Four withdrawals at once, all the first to finish on that day: each adds to one statistics row."""
    from egov.dossiers.models import DossierTally
    from tests.dossiers.factories import aware

    agency = make_agency(name="Bộ phận một cửa thống kê")
    counter = make_official(Role.COUNTER_OFFICER, agency=agency)
    citizen = make_citizen()
    procedure = make_procedure(steps=[])
    dossiers = [services.register_at_counter(officer=counter, procedure=procedure, data=applicant_data(),
                                             applicant=citizen, at=aware("2026-03-02 09:00")) for _ in range(4)]

    results = run_parallel(4, lambda i: services.withdraw(dossier=dossiers[i], citizen=citizen,
                                                          at=aware("2026-03-10 09:00")))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert DossierTally.objects.get(agency=agency, day="2026-03-10").finished == 4
    assert services.tally_differences() == []


def test_an_officer_holding_a_dossier_blocks_neither_a_filing_at_its_agency_nor_a_message_about_it():
    # Found by the soak: the officer's lock took the agency's row too, and as FOR UPDATE, so a filing
    # at the same agency and the worker's SMS about the dossier waited on the officer, who waited on
    # them for the audit chain. With lock_timeout the old lock fails here instead of hanging.
    from tests.dossiers.factories import papers_for

    agency = make_agency(name="Cơ quan giữ khóa hồ sơ")
    citizen = make_citizen()
    procedure = make_procedure(steps=[])
    held = services.submit_online(actor=citizen, procedure=procedure, agency=agency, data=applicant_data(citizen),
                                  uploads=papers_for(procedure))
    told = SmsMessage.objects.filter(dossier_id=held.pk).count()  # the citizen's "submitted" SMS
    locked, release = threading.Event(), threading.Event()

    def officer():
        try:
            with transaction.atomic():
                services.lock(held)
                locked.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    thread = threading.Thread(target=officer)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            filed = services.submit_online(actor=citizen, procedure=procedure, agency=agency,
                                           data=applicant_data(citizen), uploads=papers_for(procedure))
            send_sms("0912345678", "Ho so dang duoc xu ly", agency_id=agency.pk, dossier_id=held.pk)
    finally:
        release.set()
        thread.join(timeout=60)
    assert Dossier.objects.filter(agency=agency).count() == 2
    assert Dossier.objects.get(pk=filed.pk).status == Dossier.Status.SUBMITTED
    assert SmsMessage.objects.filter(dossier_id=held.pk).count() == told + 1
