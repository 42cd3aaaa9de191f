"""Before sending, a sender is shown the reports already made at the same place with similar words."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from egov.feedback.duplicates import similar
from egov.feedback.models import Feedback, FeedbackField
from egov.org.models import AdministrativeUnit
from tests.factories import make_agency

_codes = itertools.count(1)

POTHOLE = ("Ổ gà lớn trên đường Lê Lợi", "Đoạn trước số 12 Lê Lợi có ổ gà sâu, xe máy dễ ngã.")
STREETLIGHT = ("Đèn đường Lê Lợi không sáng",
               "Đèn đường trên đường Lê Lợi đoạn trước số 12 tắt cả tuần nay, xe máy đi lại nguy hiểm.")
FALLEN_TREE = ("Cây đổ chắn đường Lê Lợi", "Sau bão cây xanh trước số 12 đổ chắn hết lòng đường, xe máy không qua được.")


@pytest.fixture
def ward(db):
    return AdministrativeUnit.objects.create(code="19999", name="Phường Thử Nghiệm", level="commune")


@pytest.fixture
def other_ward(db):
    return AdministrativeUnit.objects.create(code="19998", name="Phường Bên Cạnh", level="commune")


@pytest.fixture
def report(db, ward):
    agency = make_agency()

    def make(subject, content, *, unit=ward, address="Đường Lê Lợi", status=Feedback.Status.NEW,
             publish_consent=True, days_ago=0, **fields):
        now = timezone.now()
        feedback = Feedback.objects.create(
            code=f"PA-260101-{next(_codes):04d}", subject=subject, content=content, unit=unit, address=address,
            agency=agency, status=status, publish_consent=publish_consent, sender_phone="0912345678",
            confirmed_at=None if status == Feedback.Status.PENDING else now,
            answered_at=now if status == Feedback.Status.ANSWERED else None,
            closed_at=now if status == Feedback.Status.CLOSED else None,
            close_reason="Trùng" if status == Feedback.Status.CLOSED else "", **fields)
        if days_ago:
            Feedback.objects.filter(pk=feedback.pk).update(created_at=now - dt.timedelta(days=days_ago))
        return feedback
    return make


def test_the_same_pothole_reported_again_is_suggested(report, ward):
    first = report("Đường Lê Lợi có ổ gà", "Ổ gà sâu trước nhà số 10 đường Lê Lợi, nguy hiểm cho xe máy.")
    report(*STREETLIGHT)
    report(*FALLEN_TREE)

    found = similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward, address="đường Lê Lợi")

    assert found == [first]  # the light and the tree on the same street are other problems


def test_typed_without_diacritics_it_is_found_as_well(report, ward):
    first = report(*POTHOLE)
    assert similar(subject="o ga lon duong Le Loi", content="co o ga sau truoc so 12, xe may de nga",
                   unit=ward.code) == [first]


def test_a_different_place_is_not_suggested(report, ward, other_ward):
    report(*POTHOLE, unit=other_ward)
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward) == []


def test_different_words_at_the_same_place_are_not_suggested(report, ward):
    report("Rác thải không được thu gom", "Khu vực chợ rác thải để lâu ngày, bốc mùi, đề nghị thu gom.")
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward) == []


def test_without_a_unit_the_same_address_is_the_same_place(report):
    here = report(*POTHOLE, unit=None, address="12 Lê Lợi, Thuận Hóa")
    report(*POTHOLE, unit=None, address="40 Hùng Vương, Thuận Hóa")

    assert similar(subject=POTHOLE[0], content=POTHOLE[1], address="12 le loi thuan hoa") == [here]
    assert similar(subject=POTHOLE[0], content=POTHOLE[1]) == []  # no place, no comparison


@pytest.mark.parametrize("hidden", [
    {"is_hidden": True},
    {"is_private": True},
    {"publish_consent": False},           # its sender did not agree to show it to anyone
    {"status": Feedback.Status.PENDING},  # not yet confirmed
    {"status": Feedback.Status.CLOSED},
    {"days_ago": 91},
])
def test_hidden_private_unconfirmed_closed_or_old_reports_are_never_suggested(report, ward, hidden):
    report(*POTHOLE, **hidden)
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward) == []


@pytest.mark.parametrize("status", [Feedback.Status.ASSIGNED, Feedback.Status.REVIEW, Feedback.Status.ANSWERED])
def test_reports_being_handled_or_answered_are_suggested(report, ward, status):
    field = FeedbackField.objects.create(code="giao-thong", name="Giao thông")
    handled = report(*POTHOLE, status=status, assigned_at=timezone.now(), due_at=timezone.now(), field=field,
                     days_ago=80)
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward) == [handled]


def test_most_alike_first_then_newest(report, ward):
    close = report(*POTHOLE, days_ago=5)
    loose = report("Đường có ổ gà", "Có ổ gà, xe máy đi lại khó khăn.", days_ago=1)
    also_close = report(*POTHOLE, days_ago=2)

    found = similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward)

    assert found == [also_close, close, loose]
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward, limit=1) == [also_close]
    assert similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward, exclude=also_close) == [close, loose]


def test_one_query_whatever_the_number_of_reports(report, ward, django_assert_num_queries):
    for _ in range(5):
        report(*STREETLIGHT)
    with django_assert_num_queries(1):
        similar(subject=POTHOLE[0], content=POTHOLE[1], unit=ward)


def test_empty_or_stop_word_text_suggests_nothing(report, ward):
    report(*POTHOLE)
    assert similar(subject="", content="", unit=ward) == []
    assert similar(subject="có không", content="và là của", unit=ward) == []
