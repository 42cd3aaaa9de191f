"""The citizen's feedback pages: sending (errors kept next to the fields, the similar-feedback
check, the one-time code), tracking without personal data, rating and reopening by the sender
only, the published answers searched with or without diacritics, and "Phản ánh của tôi"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackField, FeedbackRating
from egov.feedback.search import folded_for
from egov.org.models import AdministrativeUnit
from tests.factories import PASSWORD, make_agency, make_citizen, make_official
from tests.feedback.factories import code_in, last_sms

SEND = "/phan-anh/gui/"
TRACK = "/phan-anh/tra-cuu/"
PUBLISHED = "/phan-anh/cong-khai/"
SENDER = {"name": "Lê Thị Riêng Tư", "phone": "0912345678", "email": "rieng.tu@example.vn",
          "address": "27 Kiệt Bí Mật, Thuận Hóa"}


@pytest.fixture
def place(db, settings):
    """A province with three wards, and its receiving office (the portal's province)."""
    province = AdministrativeUnit.objects.create(code="46", name="Thành phố Huế", level="province")
    wards = [AdministrativeUnit.objects.create(code=code, name=name, division_type="Phường", level="commune",
                                               parent=province)
             for code, name in (("19918", "Phường Thuận Hóa"), ("19774", "Phường Phú Xuân"),
                                ("19900", "Phường Vỹ Dạ"))]
    office = make_agency(name="Văn phòng Ủy ban nhân dân thành phố Huế", code="000.00.00.H57")
    office.unit = province
    office.save()
    settings.FEEDBACK_OFFICE = office.code
    field = FeedbackField.objects.create(code="giao-thong", name="Giao thông", handling_days=10)
    return type("Place", (), {"province": province, "wards": wards, "office": office, "field": field})


def make_feedback(place, *, status=Feedback.Status.NEW, subject="Đèn đường hỏng", content="Đèn tắt ba đêm.",
                  publish_consent=True, **extra) -> Feedback:
    now = timezone.now()
    values = {"code": f"PA-261129-{Feedback.objects.count() + 1:04d}", "subject": subject, "content": content,
              "sender_name": SENDER["name"], "sender_phone": SENDER["phone"], "sender_email": SENDER["email"],
              "address": SENDER["address"], "unit": place.wards[0], "field": place.field, "agency": place.office,
              "status": status, "publish_consent": publish_consent,
              "confirmed_at": None if status == Feedback.Status.PENDING else now}
    values.update(extra)
    return Feedback.objects.create(**values)


def answer(place, feedback, *, text="Đã thay bóng đèn ngày 28/11.", published=True, days_ago=1) -> FeedbackAnswer:
    """Put `feedback` in the answered state with an approved answer (as approve_answer leaves it)."""
    at = timezone.now() - timedelta(days=days_ago)
    leader = make_official("leader", agency=place.office)
    feedback.status = Feedback.Status.ANSWERED
    feedback.answered_at = at
    feedback.save()
    answer = FeedbackAnswer(
        feedback=feedback, text=text, status=FeedbackAnswer.Status.APPROVED, agency=place.office,
        drafted_by=leader, decided_by=leader, decided_at=at, is_published=published,
        public_subject=feedback.subject if published else "", public_text=text if published else "",
        published_at=at if published else None)
    answer.search_folded = folded_for(answer)
    answer.save()
    return answer


def as_sender(client, feedback):
    session = client.session
    session["feedback_sent"] = [feedback.pk]
    session.save()


def test_the_map_draws_one_titled_tile_per_unit_in_code_order():
    from egov.feedback import mapsvg

    units = [AdministrativeUnit(pk=n, code=f"{19000 + n}", name=f"Phường Số {n}") for n in range(1, 41)]
    units.append(AdministrativeUnit(pk=41, code="19999", name="Xã <A & B>"))
    svg = str(mapsvg.render(units))
    assert svg.count('class="fb-tile"') == 41
    assert svg.index('data-name="Phường Số 1"') < svg.index('data-name="Phường Số 2"')
    assert "<title>Xã &lt;A &amp; B&gt;</title>" in svg
    assert mapsvg.grid(40) == (6, 7) and mapsvg.initials("Phường Thuận Hóa") == "TH"
    assert mapsvg.render([]) == ""


# -- sending ------------------------------------------------------------------------------------
def test_the_form_offers_the_provinces_wards_and_a_map_hidden_until_its_script_runs(client, place):
    response = client.get(SEND)
    html = response.content.decode()
    assert response.status_code == 200
    for ward in place.wards:
        assert f">{ward.name}</option>" in html
        assert f'data-name="{ward.name}"' in html  # a tile on the map
    assert re.search(r'class="field fb-map-box" hidden', html)
    assert 'accept="image/jpeg,image/png,application/pdf' in html
    assert 'name="files"' in html and "multiple" in html


def test_errors_are_shown_in_vietnamese_beside_the_fields_and_what_was_typed_is_kept(client, place):
    response = client.post(SEND, {"subject": "Ổ gà trên đường Lê Lợi", "content": "", "address": "số 5 Lê Lợi",
                                  "name": "Trần Văn An", "token": "t1", "send": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng nhập nội dung phản ánh." in html
    assert "Vui lòng nhập số điện thoại hoặc thư điện tử để nhận mã xác nhận." in html
    assert 'value="Ổ gà trên đường Lê Lợi"' in html and 'value="số 5 Lê Lợi"' in html
    assert 'value="Trần Văn An"' in html
    assert not Feedback.objects.exists()


def test_a_bad_phone_number_is_refused_on_the_form(client, place):
    response = client.post(SEND, {"subject": "Rác", "content": "Rác chưa thu gom.", "phone": "12ab", "send": "1"})
    assert response.status_code == 400
    assert "Số điện thoại không hợp lệ" in response.content.decode()


def test_an_anonymous_sender_confirms_with_the_code_sent_by_sms_then_tracks(client, place,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND, {"subject": "Cây đổ chắn đường", "content": "Cây đổ sau mưa, chắn lối đi.",
                                      "unit": place.wards[1].pk, "phone": "0987654321", "publish_consent": "on",
                                      "map_x": "0.5", "map_y": "0.25", "token": "once", "send": "1"})
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/xac-nhan/{feedback.code}/"
    assert feedback.status == Feedback.Status.PENDING and feedback.unit == place.wards[1]
    assert (feedback.map_x, feedback.map_y) == (0.5, 0.25)
    assert client.session["feedback_sent"] == [feedback.pk]

    page = client.get(response["Location"])
    assert "***4321" in page.content.decode() and feedback.code in page.content.decode()
    otp = code_in(last_sms("0987654321"))
    wrong = client.post(response["Location"], {"otp": "000000" if otp != "000000" else "111111"})
    assert wrong.status_code == 400 and Feedback.objects.get().status == Feedback.Status.PENDING
    done = client.post(response["Location"], {"otp": otp})
    assert done.status_code == 302 and done["Location"] == f"{TRACK}?ma={feedback.code}"
    assert Feedback.objects.get().status == Feedback.Status.NEW
    assert "Đã xác nhận" in client.get(done["Location"]).content.decode()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_beside_the_files_field(client, place):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client.post(SEND, {"subject": "Rác", "content": "Rác chưa thu gom.", "phone": "0912000111",
                                  "files": [fake], "send": "1"})
    html = response.content.decode()
    assert response.status_code == 422
    files_field = html[html.index('name="files"'):html.index("Người gửi")]
    assert "“anh.jpg”: chỉ nhận tệp JPEG, PNG hoặc PDF." in files_field
    assert "Rác chưa thu gom.</textarea>" in html  # what was typed is kept
    assert not Feedback.objects.exists()


def test_sending_the_same_form_twice_files_one_feedback(client, place):
    data = {"subject": "Nước ngập", "content": "Ngập sau mưa.", "email": "a@example.vn", "token": "tok-1", "send": "1"}
    first = client.post(SEND, data)
    second = client.post(SEND, data)
    assert Feedback.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_signed_in_citizen_needs_no_contact_details_and_lands_on_the_tracking_page(client, place):
    citizen = make_citizen(full_name="Phạm Thị Mai")
    client.login(username=citizen.username, password=PASSWORD)
    form = client.get(SEND).content.decode()
    assert 'value="Phạm Thị Mai"' in form  # prefilled from the account
    response = client.post(SEND, {"subject": "Vỉa hè lấn chiếm", "content": "Quán lấn hết vỉa hè.", "name": "",
                                  "phone": "", "email": "", "token": "t", "send": "1"})
    feedback = Feedback.objects.get()
    assert feedback.sender == citizen
    if feedback.status == Feedback.Status.PENDING:  # an unverified account confirms like anyone
        assert response["Location"] == f"/phan-anh/xac-nhan/{feedback.code}/"
    else:
        assert response["Location"] == f"{TRACK}?ma={feedback.code}"
        assert f"Đã gửi phản ánh, mã {feedback.code}" in client.get(response["Location"]).content.decode()


def test_the_similar_check_lists_open_feedback_at_the_same_place_with_a_link_to_follow_it(client, place):
    other = make_feedback(place, subject="Đèn đường hỏng trên đường Lê Lợi", content="Đèn đường hỏng cả tuần nay.")
    response = client.post(SEND, {"subject": "Đèn đường hỏng Lê Lợi", "content": "Đèn đường hỏng cả tuần.",
                                  "unit": place.wards[0].pk, "check": "1", "token": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Theo dõi phản ánh này" in html and f"?ma={other.code}" in html
    assert 'value="Đèn đường hỏng Lê Lợi"' in html  # still on the form, nothing sent
    assert "Vui lòng" not in html  # a check is not a sending: no "required" errors
    assert Feedback.objects.count() == 1
    fragment = client.get("/phan-anh/gui/tuong-tu/", {"subject": "Đèn đường hỏng Lê Lợi",
                                                      "content": "Đèn đường hỏng cả tuần.", "unit": place.wards[0].pk})
    assert fragment.status_code == 200 and f"?ma={other.code}" in fragment.content.decode()


def test_the_code_is_sent_again_on_request_a_few_times_only(client, place, django_capture_on_commit_callbacks):
    from egov.feedback import views_public

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SEND, {"subject": "Rác", "content": "Rác chưa thu gom.", "phone": "0977000111", "send": "1"})
    feedback = Feedback.objects.get()
    url = f"/phan-anh/xac-nhan/{feedback.code}/gui-lai/"
    first = last_sms("0977000111")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "Đã gửi lại mã xác nhận." in page
    assert last_sms("0977000111") != first
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(views_public.RESEND_LIMIT):
            page = client.post(url, follow=True).content.decode()
    assert "Vui lòng thử lại sau" in page or "quá số lần" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/phan-anh/xac-nhan/{feedback.code}/", {"otp": code_in(last_sms("0977000111"))})
    assert Feedback.objects.get().status == Feedback.Status.NEW


# -- tracking ---------------------------------------------------------------------------------
def test_tracking_never_shows_the_senders_name_phone_email_or_address(client, place):
    feedback = make_feedback(place)
    answer(place, feedback)
    for viewer in ("stranger", "sender"):
        if viewer == "sender":
            as_sender(client, feedback)
        html = client.get(TRACK, {"ma": feedback.code}).content.decode()
        assert "Đã trả lời" in html and "Đã thay bóng đèn" in html
        for value in SENDER.values():
            assert value not in html, f"{value} shown to the {viewer}"


def test_an_unknown_code_answers_404_with_a_clear_message(client, place):
    response = client.get(TRACK, {"ma": "PA-000000-9999"})
    assert response.status_code == 404
    assert "Không tìm thấy phản ánh có mã “PA-000000-9999”" in response.content.decode()


def test_tracking_is_rate_limited_like_dossier_tracking(client, place, settings):
    from egov.core.ratelimit import Rate

    settings.RATE_TRACKING = Rate(2, 60)
    for _ in range(2):
        assert client.get(TRACK, {"ma": "PA-000000-0001"}).status_code == 404
    assert client.get(TRACK, {"ma": "PA-000000-0001"}).status_code == 429


# -- rating and reopening: the sender only ----------------------------------------------------
def test_only_the_sender_is_offered_rating_and_reopening(client, place):
    feedback = make_feedback(place)
    answer(place, feedback)
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Đánh giá câu trả lời" not in html and "mở lại" not in html
    assert client.post(f"/phan-anh/tra-cuu/{feedback.code}/danh-gia/",
                       {"stars": "5", "satisfied": "1"}).status_code == 403
    assert client.post(f"/phan-anh/tra-cuu/{feedback.code}/mo-lai/", {"reason": "Chưa sửa"}).status_code == 403
    assert not FeedbackRating.objects.exists()
    assert Feedback.objects.get().status == Feedback.Status.ANSWERED

    as_sender(client, feedback)
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Đánh giá câu trả lời" in html and "Chưa được giải quyết — mở lại" in html


def test_the_sender_in_another_browser_proves_it_with_a_code_and_may_then_rate(client, place,
                                                                            django_capture_on_commit_callbacks):
    feedback = make_feedback(place)
    answer(place, feedback)
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Bạn là người gửi?" in html and "Gửi đánh giá" not in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/phan-anh/tra-cuu/{feedback.code}/nguoi-gui/")
    verify = f"/phan-anh/tra-cuu/{feedback.code}/nguoi-gui/xac-nhan/"
    assert sent.status_code == 302 and sent["Location"] == verify
    page = client.get(verify).content.decode()
    assert "***5678" in page and SENDER["phone"] not in page
    otp = code_in(last_sms(SENDER["phone"]))
    wrong = client.post(verify, {"otp": "000000" if otp != "000000" else "111111"})
    assert wrong.status_code == 400 and "Mã xác nhận không đúng. Còn" in wrong.content.decode()
    assert "Gửi đánh giá" not in client.get(TRACK, {"ma": feedback.code}).content.decode()
    done = client.post(verify, {"otp": otp})
    assert done.status_code == 302 and done["Location"] == f"{TRACK}?ma={feedback.code}"
    html = client.get(done["Location"]).content.decode()
    assert "Đã xác nhận bạn là người gửi phản ánh." in html and "Gửi đánh giá" in html
    assert "Bạn là người gửi?" not in html
    assert client.post(f"/phan-anh/tra-cuu/{feedback.code}/danh-gia/", {"stars": "5", "satisfied": "1"}).status_code == 302
    assert FeedbackRating.objects.get().stars == 5
    # The code is used up: another browser cannot reuse it.
    client.logout()
    assert client.post(verify, {"otp": otp}).status_code == 400


def test_the_sender_code_is_sent_a_few_times_only(client, place, django_capture_on_commit_callbacks):
    from egov.feedback import views_public

    feedback = make_feedback(place)
    answer(place, feedback)
    url = f"/phan-anh/tra-cuu/{feedback.code}/nguoi-gui/"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(views_public.RESEND_LIMIT):
            assert client.post(url).status_code == 302
        page = client.post(url, follow=True).content.decode()
    assert "Vui lòng thử lại sau" in page or "quá số lần" in page
    assert feedback.confirmations.count() == views_public.RESEND_LIMIT


def test_no_sender_code_for_a_feedback_waiting_for_its_confirmation_or_without_contact(client, place):
    from egov.core.errors import StateError, ValidationError
    from egov.feedback import services

    pending = make_feedback(place, status=Feedback.Status.PENDING)
    with pytest.raises(StateError):
        services.send_sender_code(pending.code)
    assert client.get(f"/phan-anh/tra-cuu/{pending.code}/nguoi-gui/xac-nhan/")["Location"] == \
        f"/phan-anh/xac-nhan/{pending.code}/"
    silent = make_feedback(place, sender_phone="", sender_email="", sender=make_citizen())
    answer(place, silent)
    assert "Bạn là người gửi?" not in client.get(TRACK, {"ma": silent.code}).content.decode()
    with pytest.raises(ValidationError):
        services.send_sender_code(silent.code)
    assert not silent.confirmations.exists()


def test_the_sender_rates_the_answer_once(client, place):
    feedback = make_feedback(place)
    answer(place, feedback)
    as_sender(client, feedback)
    url = f"/phan-anh/tra-cuu/{feedback.code}/danh-gia/"
    missing = client.post(url, {"comment": "?"})
    assert missing.status_code == 400 and "Vui lòng chọn số sao (1 đến 5)." in missing.content.decode()
    done = client.post(url, {"stars": "4", "satisfied": "1", "comment": "Nhanh"})
    assert done.status_code == 302
    rating = FeedbackRating.objects.get()
    assert (rating.stars, rating.satisfied, rating.comment) == (4, True, "Nhanh")
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Đánh giá của bạn" in html and "Gửi đánh giá" not in html


def test_the_sender_reopens_within_the_window_and_the_feedback_is_back_in_the_queue(client, place):
    feedback = make_feedback(place)
    answer(place, feedback)
    as_sender(client, feedback)
    url = f"/phan-anh/tra-cuu/{feedback.code}/mo-lai/"
    assert "Vui lòng nêu lý do" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Đèn vẫn tắt."}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ASSIGNED and feedback.reopen_count == 1
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Đã mở lại 1 lần" in html and "Mở lại phản ánh" not in html


def test_no_reopening_after_the_window(client, place, settings):
    feedback = make_feedback(place)
    answer(place, feedback, days_ago=settings.FEEDBACK_REOPEN_DAYS + 1)
    as_sender(client, feedback)
    html = client.get(TRACK, {"ma": feedback.code}).content.decode()
    assert "Đánh giá câu trả lời" in html and "Mở lại phản ánh" not in html


# -- published answers, my feedback -----------------------------------------------------------
def test_published_answers_are_found_with_or_without_diacritics_and_private_ones_never(client, place):
    public = make_feedback(place, subject="Rác thải ở chợ Đông Ba")
    answer(place, public, text="Đã bố trí xe thu gom rác hai lần mỗi ngày.")
    private = make_feedback(place, subject="Rác thải bí mật", publish_consent=False)
    answer(place, private, text="Rác thải đã được thu gom.", published=False)
    for q in ("thu gom rác", "thu gom rac", "THU GOM RAC"):
        html = client.get(PUBLISHED, {"q": q}).content.decode()
        assert "Đã bố trí xe thu gom rác" in html, q
        assert "Rác thải bí mật" not in html
    nothing = client.get(PUBLISHED, {"q": "không có gì"}).content.decode()
    assert "Không tìm thấy câu trả lời nào" in nothing
    assert "Đã bố trí xe thu gom rác" in client.get("/phan-anh/").content.decode()  # the landing's latest


def test_published_answers_are_filtered_by_field(client, place):
    health = FeedbackField.objects.create(code="y-te", name="Y tế")
    answer(place, make_feedback(place, subject="Đèn đường tắt"), text="Đã sửa đèn.")
    answer(place, make_feedback(place, subject="Trạm y tế đóng cửa", field=health), text="Đã mở cửa lại.")
    html = client.get(PUBLISHED, {"linh-vuc": "y-te"}).content.decode()
    assert "Trạm y tế đóng cửa" in html and "Đèn đường tắt" not in html
    assert "Đèn đường tắt" in client.get(PUBLISHED, {"linh-vuc": "khong-co"}).content.decode()  # unknown: all


def test_my_feedback_lists_the_citizens_own_only(client, place):
    citizen = make_citizen()
    mine = make_feedback(place, subject="Của tôi", sender=citizen)
    make_feedback(place, subject="Của người khác")
    client.login(username=citizen.username, password=PASSWORD)
    html = client.get("/phan-anh/cua-toi/").content.decode()
    assert mine.code in html and "Của người khác" not in html


def test_my_feedback_is_not_a_page_for_officials_or_strangers(client, place):
    assert client.get("/phan-anh/cua-toi/").status_code == 302  # to the sign-in page
    official = make_official(agency=place.office)
    client.login(username=official.username, password=PASSWORD)
    assert client.get("/phan-anh/cua-toi/").status_code == 403
