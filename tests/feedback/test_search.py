"""The public search of published answers: with or without diacritics, newest first, only what is
published, the same answers whichever way the database finds them, counted without surprises."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from egov.core.views import CappedPaginator
from egov.feedback import search
from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackField
from egov.org.models import AdministrativeUnit
from egov.org.roles import Role
from tests.factories import make_agency, make_official

_codes = itertools.count(1)


@pytest.fixture
def office(db):
    return make_agency(name="Văn phòng UBND tỉnh")


@pytest.fixture
def leader(office):
    return make_official(Role.LEADER, agency=office)


@pytest.fixture
def publish(office, leader):
    """publish(subject, text, days_ago=0, **feedback fields) -> the published answer."""
    def make(subject, text, *, days_ago=0, published=True, **fields):
        at = timezone.now() - dt.timedelta(days=days_ago)
        feedback = Feedback.objects.create(
            code=f"PA-260101-{next(_codes):04d}", subject=subject, content=text, agency=office,
            status=Feedback.Status.ANSWERED, confirmed_at=at, answered_at=at, publish_consent=True,
            sender_phone="0912345678", sender_name="Trần Thị Gửi", **fields)
        answer = FeedbackAnswer(feedback=feedback, text=text, status=FeedbackAnswer.Status.APPROVED, agency=office,
                                drafted_by=leader, decided_by=leader, decided_at=at, is_published=published,
                                published_at=at if published else None, public_subject=subject, public_text=text)
        answer.search_folded = search.folded_for(answer)
        answer.save()
        return answer
    return make


def codes(answers) -> list[str]:
    return [a.feedback.code for a in answers]


@pytest.fixture(params=["index", "walk"])
def way(request, monkeypatch):
    """Both ways of finding matches: the text index (few matches) and the newest-first walk."""
    monkeypatch.setattr(search, "FEW", 1000 if request.param == "index" else 0)
    return request.param


def test_words_match_with_or_without_diacritics_newest_first(publish, way):
    older = publish("Đường Lê Lợi hư hỏng", "Đã vá các ổ gà trên đường Lê Lợi.", days_ago=3)
    newer = publish("Đèn đường không sáng", "Đã thay bóng đèn đường Hùng Vương.", days_ago=1)
    publish("Rác thải tồn đọng", "Đã thu gom rác tại chợ Đông Ba.", days_ago=2)

    assert codes(search.published("đường")) == codes([newer, older])
    assert codes(search.published("duong")) == codes([newer, older])
    assert codes(search.published("DUONG le loi")) == codes([older])
    assert codes(search.published("Lê Lợi hư hỏ")) == codes([older])  # the last word may be half typed
    assert list(search.published("xyzzy")) == []


def test_the_whole_list_is_newest_first_and_only_published(publish):
    first = publish("Một", "Trả lời một.", days_ago=5)
    second = publish("Hai", "Trả lời hai.", days_ago=4)
    publish("Ba", "Trả lời ba, chưa công khai.", published=False)
    assert codes(search.published()) == codes([second, first])


def test_a_word_is_matched_whole_except_the_last(publish, way):
    publish("An toàn giao thông", "Đã lắp biển báo an toàn.")
    anh = publish("Anh Toàn phản ánh", "Đã trả lời anh Toàn.")
    # "an" before another word is the word "an", not the start of "anh"
    assert codes(search.published("anh toan")) == codes([anh])
    assert len(search.published("an toan")) == 1


def test_a_hidden_private_or_withdrawn_answer_is_not_found(publish, way):
    shown = publish("Cây xanh gãy đổ", "Đã cắt tỉa cây xanh.")
    hidden = publish("Cây xanh nghiêng", "Đã chằng chống cây xanh.")
    Feedback.objects.filter(pk=hidden.feedback_id).update(is_hidden=True)
    private = publish("Cây xanh che đèn", "Đã tỉa cành cây xanh.")
    Feedback.objects.filter(pk=private.feedback_id).update(is_private=True)
    withdrawn = publish("Cây xanh sâu bệnh", "Đã phun thuốc cây xanh.")
    withdrawn.is_published = False
    withdrawn.save()

    assert codes(search.published("cay xanh")) == codes([shown])


def test_a_changed_public_text_is_found_by_its_new_words_only(publish, way):
    answer = publish("Nước sinh hoạt đục", "Đã súc rửa đường ống tại tổ 5, gọi anh Bảy 0905111222.")
    assert codes(search.published("anh bay")) == codes([answer])
    answer.public_text = "Đã súc rửa đường ống tại tổ 5."  # a moderator removed the name and phone
    answer.search_folded = search.folded_for(answer)
    answer.save(update_fields=["public_text", "search_folded"])

    assert list(search.published("anh bay")) == []
    assert codes(search.published("suc rua")) == codes([answer])


def test_field_and_unit_narrow_the_list(publish):
    field = FeedbackField.objects.create(code="giao-thong", name="Giao thông")
    unit = AdministrativeUnit.objects.create(code="99901", name="Phường Thử", level="commune")
    road = publish("Đường hỏng", "Đã sửa đường.", field=field, unit=unit)
    publish("Đường tối", "Đã lắp đèn đường.")

    assert codes(search.published("duong", field=field)) == codes([road])
    assert codes(search.published("duong", field="giao-thong", unit="99901")) == codes([road])
    assert list(search.published("duong", field="khong-co")) == []


def test_the_count_is_the_number_of_matches_and_stops_at_the_cap(publish, way):
    for i in range(5):
        publish(f"Chiếu sáng số {i}", "Đã sửa đèn chiếu sáng.", days_ago=i)
    publish("Rác", "Đã thu gom rác.")

    assert search.count_capped(search.published("chieu sang")) == (5, False)
    assert search.count_capped(search.published("chieu sang"), cap=3) == (3, True)
    assert search.count_capped(search.published()) == (6, False)
    # The public page's paginator counts the same way, and its pages hold the same rows.
    paginator = CappedPaginator(search.published("chiếu sáng"), 2)
    assert paginator.count == 5 and paginator.num_pages == 3
    assert [codes(paginator.page(n).object_list) for n in (1, 2, 3)] == [
        codes(Paginator(list(search.published("chieu sang")), 2).page(n).object_list) for n in (1, 2, 3)]


def test_folded_text_holds_the_public_words_only(publish):
    answer = publish("Đường tối (tổ 5)", "Đã lắp đèn: xong 12/3.")
    assert answer.search_folded == "duong toi to 5 da lap den xong 12 3"


def test_a_query_of_symbols_lists_everything_and_fails_nothing(publish):
    publish("Một", "Trả lời.")
    for q in ['"', "*", "AND", "&", "'; DROP", ":*", "(", "đ", " " * 50, "a" * 300]:
        list(search.published(q))
        search.count_capped(search.published(q))


def test_text_folded_with_its_punctuation_is_found_the_same_way(publish, way):
    from egov.core.text import fold

    answer = publish("Đường tối", "x")
    answer.search_folded = fold("Đèn đường (tổ 5), phố Lê Lợi: đã sửa xong/nghiệm thu.")
    answer.save(update_fields=["search_folded"])
    for q in ("đường", "den duong to 5", "pho le loi", "loi da sua", "xong nghiem thu", "sửa xon"):
        assert codes(search.published(q)) == codes([answer]), q
