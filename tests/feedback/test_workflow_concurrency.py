"""Concurrency on PostgreSQL (row locks): parallel senders get gapless codes; of two officers
acting on one feedback at once, one wins and the other is told it moved; one key, one feedback."""

import pytest
from django.db import connection

from egov.core.errors import StateError
from egov.feedback import services
from egov.feedback.models import Feedback, FeedbackField
from tests.dossiers.test_concurrency import run_parallel
from tests.factories import make_agency
from tests.feedback.factories import make_feedback, officials_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://..."),
]


@pytest.fixture
def office(settings):
    office = make_agency(name="Văn phòng tiếp nhận thử tải", code="000.00.01.TC1")
    settings.FEEDBACK_OFFICE = office.code
    settings.RATE_FEEDBACK = None  # many senders from one test client
    FeedbackField.objects.create(code="khac", name="Khác", handling_days=10)
    return office


def test_parallel_senders_get_gapless_unique_codes(office):
    def send(index):
        return [services.submit(subject=f"Phản ánh {index}-{n}", content="Nội dung", phone=f"09{index:02d}{n:06d}",
                                client_ip=f"198.51.100.{index}")[0].code for n in range(5)]

    results = run_parallel(4, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(code for batch in results for code in batch)
    assert [int(code[-4:]) for code in codes] == list(range(1, 21))


def test_two_clerks_routing_one_feedback_one_wins(office):
    ward = make_agency(name="Phường thử tải", parent=office, code="000.00.31.TC1")
    feedback = make_feedback(Feedback.Status.NEW, office=office)
    clerks = [officials_of(office)["clerk"], officials_of(office)["leader"]]
    field = FeedbackField.objects.get()

    def act(index):
        return services.route(clerks[index], Feedback.objects.get(pk=feedback.pk), field=field, agency=ward)

    results = run_parallel(2, act)
    assert sum(isinstance(r, StateError) for r in results) == 1
    assert sum(isinstance(r, Feedback) for r in results) == 1


def test_one_key_sent_twice_at_once_makes_one_feedback(office):
    def send(index):
        return services.submit(subject="Một lần", content="Nội dung", phone="0912345678", client_ip="198.51.100.9",
                               idempotency_key="cung-mot-khoa")

    results = run_parallel(3, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({feedback.pk for feedback, _ in results}) == 1 and Feedback.objects.count() == 1
    assert sorted(created for _, created in results) == [False, False, True]
