"""The rules of rating a dossier's service (đánh giá mức độ hài lòng): only once it has its result,
once per dossier, only by the link's holder or the applicant's account."""

import datetime as dt

import pytest
from django.core import signing

from egov.core.audit_labels import action_label
from egov.core.errors import NotFound, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.dossiers import workflow
from egov.feedback import ratings
from egov.feedback.models import ServiceRating
from egov.notify.models import SmsMessage
from tests.dossiers.conftest import World
from tests.dossiers.factories import aware

pytestmark = pytest.mark.django_db
Level = ServiceRating.Level


@pytest.fixture
def world(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


def approved(world):
    dossier = world.received(received="2026-03-02 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.forward(dossier=dossier, officer=world.specialist)
    workflow.approve(dossier=dossier, officer=world.leader)
    return dossier


def returned(world):
    dossier = approved(world)
    workflow.return_result(dossier=dossier, actor=world.counter, method="counter")
    return dossier


def test_the_applicant_rates_a_returned_dossier_with_a_comment(world):
    dossier = returned(world)
    rating = ratings.rate_dossier(dossier, level=Level.VERY_SATISFIED, comment="  Cán bộ nhiệt tình. ",
                                  user=world.citizen)
    rating.refresh_from_db()
    assert (rating.level, rating.comment, rating.rated_by) == ("very_satisfied", "Cán bộ nhiệt tình.", world.citizen)
    # Kept with the dossier's agency and procedure, for measurement without reading dossiers.
    assert (rating.agency, rating.procedure) == (world.agency, world.procedure)
    entry = AuditEntry.objects.get(action="service_rating.created")
    assert entry.agency == world.agency and entry.summary["level"] == "very_satisfied"
    assert action_label("service_rating.created") == "Đánh giá mức độ hài lòng về giải quyết hồ sơ"


def test_a_resolved_dossier_may_be_rated_before_the_result_is_handed_over(world):
    dossier = approved(world)
    assert ratings.rate_dossier(dossier, level=Level.SATISFIED).rated_by is None


def test_a_dossier_without_its_result_cannot_be_rated(world):
    dossier = world.received()
    with pytest.raises(StateError, match="chưa có kết quả"):
        ratings.rate_dossier(dossier, level=Level.SATISFIED)
    assert not ServiceRating.objects.exists()


def test_a_dossier_is_rated_once(world):
    dossier = returned(world)
    ratings.rate_dossier(dossier, level=Level.DISSATISFIED, comment="Phải đi lại nhiều lần.")
    with pytest.raises(StateError, match="đã được đánh giá"):
        ratings.rate_dossier(dossier, level=Level.VERY_SATISFIED)
    assert list(ServiceRating.objects.values_list("level", flat=True)) == ["dissatisfied"]


@pytest.mark.parametrize("level", ["", "5", "rat_hai_long", None])
def test_an_unknown_level_is_refused(world, level):
    with pytest.raises(ValidationError, match="mức độ hài lòng"):
        ratings.rate_dossier(returned(world), level=level)


def test_an_overlong_comment_is_refused(world):
    with pytest.raises(ValidationError, match="không quá"):
        ratings.rate_dossier(returned(world), level=Level.SATISFIED, comment="x" * (ratings.COMMENT_MAX + 1))
    assert not ServiceRating.objects.exists()


def test_the_token_names_its_dossier_and_nothing_else(world):
    dossier, other = returned(world), world.received()
    token = ratings.rating_token(dossier)
    assert ratings.dossier_from_token(token) == dossier
    assert ratings.rating_token(other) != token
    value, _, signature = token.partition("-")
    forged = [
        signing.b62_encode(other.pk) + "-" + signature,  # another dossier's id under this signature
        value + "-" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        value + "-", value, "", "-" + signature, "zzzzzzzzzzzzzzzzzzzzzzzzz-" + signature, "!!-" + signature,
    ]
    for token in forged:
        with pytest.raises(NotFound):
            ratings.dossier_from_token(token)


def test_a_token_signed_with_another_key_is_refused_unless_that_key_is_a_fallback(world, settings):
    dossier = returned(world)
    token = ratings.rating_token(dossier)
    settings.SECRET_KEY = "a-new-key-" + "k" * 50
    with pytest.raises(NotFound):
        ratings.dossier_from_token(token)
    settings.SECRET_KEY_FALLBACKS = ["the-old-key-is-not-this"]
    with pytest.raises(NotFound):
        ratings.dossier_from_token(token)


def test_the_result_sms_carries_the_rating_link_in_one_text(world, django_capture_on_commit_callbacks, settings):
    # A province's portal address and a real agency code (mã định danh, 13 characters).
    settings.SITE_URL = "https://dichvucong.thuathienhue.gov.vn"
    world.agency.code = "000.00.12.H57"
    world.agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = approved(world)
    text = SmsMessage.objects.filter(direction="out", dossier_id=dossier.pk).order_by("id").last().text
    link = f"https://dichvucong.thuathienhue.gov.vn/danh-gia/ho-so/{ratings.rating_token(dossier)}/"
    assert text == f"Ho so {dossier.code} da co ket qua. Nhan tai mot cua/truc tuyen. Danh gia: {link}"
    assert len(text) <= 160 and text.isascii()


def test_the_result_sms_goes_without_the_link_when_it_would_not_fit(world, django_capture_on_commit_callbacks,
                                                                       settings):
    settings.SITE_URL = "https://" + "dich-vu-cong-truc-tuyen." * 3 + "gov.vn"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = approved(world)
    text = SmsMessage.objects.filter(direction="out", dossier_id=dossier.pk).order_by("id").last().text
    assert text == f"Ho so {dossier.code} da co ket qua. Vui long nhan ket qua truc tuyen hoac tai bo phan mot cua."


def test_staff_counts_per_level_over_a_period(world, other_agency):
    first, second, third = returned(world), returned(world), returned(world)
    ratings.rate_dossier(first, level=Level.VERY_SATISFIED)
    ratings.rate_dossier(second, level=Level.VERY_SATISFIED)
    ratings.rate_dossier(third, level=Level.DISSATISFIED)
    ServiceRating.objects.filter(dossier=third).update(created_at=aware("2026-01-15 10:00"))
    counts = ratings.level_counts(ratings.visible_ratings(world.leader))
    assert counts["total"] == 3
    assert [(value, n, percent) for value, _, n, percent in counts["levels"]] == [
        ("very_satisfied", 2, 67), ("satisfied", 0, 0), ("dissatisfied", 1, 33)]
    january = ratings.in_period(ratings.visible_ratings(world.leader), start=aware("2026-01-15 00:00").date(),
                                end=aware("2026-01-15 00:00").date())
    assert ratings.level_counts(january)["total"] == 1
    # Another agency's leader sees none of them.
    from egov.org.roles import Role
    from tests.factories import make_official

    assert ratings.level_counts(ratings.visible_ratings(make_official(Role.LEADER, agency=other_agency)))["total"] == 0


def test_measurement_counts_an_agency_and_its_sub_agencies_over_a_period(world):
    from tests.factories import make_agency

    ward = make_agency(parent=world.agency, name="Bộ phận một cửa phường")
    ratings.rate_dossier(returned(world), level=Level.SATISFIED)
    second = returned(world)
    ratings.rate_dossier(second, level=Level.DISSATISFIED)
    ServiceRating.objects.filter(dossier=second).update(agency=ward, created_at=aware("2026-02-10 23:30"))
    assert ratings.agency_counts(world.agency)["total"] == 1
    assert ratings.agency_counts(world.agency, subtree=True)["total"] == 2
    # 23:30 local on 10 February is that day, whatever UTC says.
    day = aware("2026-02-10 00:00").date()
    assert ratings.agency_counts(ward, start=day, end=day)["levels"][2][2] == 1
    assert ratings.agency_counts(ward, start=day + dt.timedelta(days=1))["total"] == 0
