"""The rating pages: the applicant's page by link or account, and the leaders' summary."""

import pytest
from django.test import Client
from django.urls import reverse

from egov.feedback import ratings
from egov.feedback.models import ServiceRating
from egov.org.roles import Role
from tests.dossiers.conftest import World
from tests.factories import PASSWORD, make_citizen, make_official
from tests.feedback.test_ratings import returned

pytestmark = pytest.mark.django_db
Level = ServiceRating.Level


@pytest.fixture
def world(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


def link(dossier) -> str:
    return reverse("service-rating", args=[ratings.rating_token(dossier)])


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_link_shows_the_dossier_and_the_choices_without_signing_in(world):
    dossier = returned(world)
    page = Client().get(link(dossier))
    html = page.content.decode()
    assert page.status_code == 200
    assert dossier.code in html and world.procedure.name in html
    for label in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
        assert f"<span>{label}</span>" in html
    # The page of a link is public: nothing of the applicant on it.
    assert world.citizen.full_name not in html and world.citizen.phone not in html


def test_rating_by_link_then_thanks_then_already_rated(world):
    dossier = returned(world)
    client = Client(enforce_csrf_checks=True)
    page = client.get(link(dossier))
    token = page.context["csrf_token"]
    sent = client.post(link(dossier), {"level": "very_satisfied", "comment": "Nhanh gọn.",
                                       "csrfmiddlewaretoken": str(token)})
    assert sent.status_code == 302 and sent["Location"] == link(dossier) + "?da-gui=1"
    thanks = client.get(sent["Location"])
    assert "Cảm ơn bạn đã đánh giá" in thanks.content.decode()
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.level, rating.comment, rating.rated_by) == ("very_satisfied", "Nhanh gọn.", None)
    again = Client().get(link(dossier))
    assert "đã được đánh giá" in again.content.decode() and "Rất hài lòng" in again.content.decode()
    assert "rating-form" not in again.content.decode()
    # A second post changes nothing.
    Client().post(link(dossier), {"level": "dissatisfied"})
    assert list(ServiceRating.objects.values_list("level", flat=True)) == ["very_satisfied"]


def test_a_tampered_link_is_refused(world):
    dossier = returned(world)
    token = ratings.rating_token(dossier)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    url = reverse("service-rating", args=[forged])
    assert Client().get(url).status_code == 404
    page = Client().post(url, {"level": "dissatisfied"})
    assert page.status_code == 404 and "Liên kết đánh giá không hợp lệ" in page.content.decode()
    assert not ServiceRating.objects.exists()


def test_a_choice_is_required(world):
    dossier = returned(world)
    page = Client().post(link(dossier), {"comment": "Không chọn mức"})
    assert page.status_code == 200 and "Vui lòng chọn một mức độ hài lòng" in page.content.decode()
    assert not ServiceRating.objects.exists()


def test_a_dossier_still_running_says_so(world):
    dossier = world.received()
    page = Client().post(link(dossier), {"level": "satisfied"})
    assert "Hồ sơ chưa có kết quả" in page.content.decode()
    assert not ServiceRating.objects.exists()


def test_the_signed_in_applicant_rates_from_their_dossier_page(world):
    dossier = returned(world)
    client = signed_in(world.citizen)
    detail = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    url = reverse("service-rating-mine", args=[dossier.code])
    assert f'href="{url}"' in detail and "Đánh giá mức độ hài lòng" in detail
    sent = client.post(url, {"level": "satisfied"})
    assert sent.status_code == 302
    assert ServiceRating.objects.get(dossier=dossier).rated_by == world.citizen
    # Rated: the dossier page no longer offers it.
    assert url not in client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()


def test_the_dossier_page_offers_no_rating_before_the_result(world):
    dossier = world.received()
    detail = signed_in(world.citizen).get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Đánh giá mức độ hài lòng" not in detail


def test_without_the_link_only_the_applicant_account_may_rate(world):
    dossier = returned(world)
    url = reverse("service-rating-mine", args=[dossier.code])
    anonymous = Client().post(url, {"level": "dissatisfied"})
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    assert signed_in(make_citizen(full_name="Người Lạ")).post(url, {"level": "dissatisfied"}).status_code == 404
    assert signed_in(world.counter).post(url, {"level": "dissatisfied"}).status_code == 404
    assert signed_in(world.citizen).get(reverse("service-rating-mine", args=["KHONG-CO"])).status_code == 404
    assert not ServiceRating.objects.exists()


def test_the_public_tracking_page_links_a_resolved_dossier_to_the_rating(world):
    done, running = returned(world), world.received()
    url = reverse("service-rating-mine", args=[done.code])
    assert url in Client().get(reverse("dossier-track-code", args=[done.code])).content.decode()
    page = Client().get(reverse("dossier-track-code", args=[running.code])).content.decode()
    assert "Đánh giá mức độ hài lòng" not in page


def test_leaders_see_their_agency_counts_and_comments_only(world, other_agency):
    ours, theirs = returned(world), returned(world)
    ratings.rate_dossier(ours, level=Level.DISSATISFIED, comment="Phải bổ sung giấy tờ hai lần.")
    ratings.rate_dossier(theirs, level=Level.VERY_SATISFIED)
    ServiceRating.objects.filter(dossier=theirs).update(agency=other_agency)
    page = signed_in(world.leader).get(reverse("service-rating-summary"))
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["counts"]["total"] == 1
    assert "Phải bổ sung giấy tờ hai lần." in html and ours.code in html and theirs.code not in html
    other_leader = make_official(Role.LEADER, agency=other_agency)
    html = signed_in(other_leader).get(reverse("service-rating-summary")).content.decode()
    assert "Phải bổ sung giấy tờ hai lần." not in html
    assert signed_in(world.specialist).get(reverse("service-rating-summary")).status_code == 403


def test_the_summary_period_filters_and_a_bad_date_shows_nothing(world):
    ratings.rate_dossier(returned(world), level=Level.SATISFIED)
    client = signed_in(world.leader)
    url = reverse("service-rating-summary")
    assert client.get(url, {"tu_ngay": "2000-01-01", "den_ngay": "2000-12-31"}).context["counts"]["total"] == 0
    assert client.get(url, {"tu_ngay": "khong-phai-ngay"}).status_code == 200
