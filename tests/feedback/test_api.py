"""The feedback API contract: send (201, pending for an anonymous sender, idempotent, 422, 429),
confirm, track without personal data, the published answers with or without diacritics, and the
staff endpoints with API keys under the same permissions as the pages."""

import io

import pytest
from django.test import Client
from PIL import Image

from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackFile
from egov.feedback.notices import code_hash
from tests.factories import make_api_key
from tests.feedback.factories import make_feedback

pytestmark = pytest.mark.django_db
S = Feedback.Status
URL = "/api/v1/feedback"
SENDER = {"name": "Nguyễn Thị Gửi", "phone": "0912345678", "email": "gui@example.vn", "address": "12 Lê Lợi"}


def body(**extra):
    return {"subject": "Đèn đường hỏng", "content": "Đèn đường trước số 12 Lê Lợi hỏng đã hai tuần.",
            "publish_consent": True, **SENDER, **extra}


def post(client, data, **headers):
    return client.post(URL, data, content_type="application/json", **headers)


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, "PNG")
    return out.getvalue()


# -- sending ------------------------------------------------------------------------------------
def test_an_anonymous_sender_gets_201_with_a_code_pending_until_confirmed(office, client):
    response = post(client, body())
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"code", "status", "status_label"}
    assert data["code"].startswith("PA-") and data["status"] == "pending" and data["status_label"] == "Chờ xác nhận"
    feedback = Feedback.objects.get(code=data["code"])
    assert feedback.channel == "api" and feedback.sender_phone == "0912345678" and feedback.publish_consent
    # Trackable at once, by its code.
    assert client.get(f"{URL}/track/{data['code']}").json()["status"] == "pending"

    feedback.confirmations.update(code_hash=code_hash(feedback.pk, "123456"))
    wrong = client.post(f"{URL}/{data['code']}/confirm", {"otp": "000000"}, content_type="application/json")
    assert wrong.status_code == 422
    confirmed = client.post(f"{URL}/{data['code']}/confirm", {"otp": "123456"}, content_type="application/json")
    assert confirmed.status_code == 200
    assert confirmed.json() == {"code": data["code"], "status": "new", "status_label": "Chờ phân loại"}


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_feedback(office, client):
    first = post(client, body(), HTTP_IDEMPOTENCY_KEY="app-42")
    again = post(client, body(content="Gửi lại do mạng chập chờn."), HTTP_IDEMPOTENCY_KEY="app-42")
    other = post(client, body(), HTTP_IDEMPOTENCY_KEY="app-43")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["code"] == first.json()["code"] != other.json()["code"]
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize("change", [{"content": ""}, {"content": "   "}, {"content": None}, "missing",
                                    {"subject": ""}, {"phone": "", "email": ""}, {"phone": "12ab"}])
def test_empty_or_missing_content_and_no_way_back_are_422_in_vietnamese(office, client, change):
    data = body()
    if change == "missing":
        del data["content"]
    else:
        data.update(change)
    response = post(client, data)
    assert response.status_code == 422
    assert response.json()["message"] and not Feedback.objects.exists()


def test_a_body_that_is_not_an_object_is_422(office, client):
    for raw in ("[1, 2]", "{", '"text"', ""):
        response = client.post(URL, raw, content_type="application/json")
        assert response.status_code == 422, raw


def test_one_client_sending_too_many_is_told_429(office, client, settings):
    from egov.core.ratelimit import parse_rate

    settings.RATE_FEEDBACK = parse_rate("EGOV_RATE_FEEDBACK", "3/h")
    codes = [post(client, body(phone=f"091234567{i}", email="")).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = post(client, body(phone="0987654321", email=""))
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "Retry-After" in refused


def test_multipart_with_a_photo_is_accepted_and_the_file_kept(office, client):
    photo = io.BytesIO(_png())
    photo.name = "o-ga.png"
    response = client.post(URL, {**body(publish_consent="true"), "files": [photo]})
    assert response.status_code == 201
    feedback = Feedback.objects.get(code=response.json()["code"])
    assert feedback.publish_consent
    assert list(FeedbackFile.objects.filter(feedback=feedback).values_list("content_type", flat=True)) == [
        "image/png"]


def test_unknown_field_or_agency_is_422(office, client):
    assert post(client, body(field="khong-co")).status_code == 422
    assert post(client, body(agency="000.00.99.XXX")).status_code == 422
    ok = post(client, body(field=office.field.code, agency=office.ward.code))
    assert ok.status_code == 201
    feedback = Feedback.objects.get(code=ok.json()["code"])
    assert feedback.field == office.field and feedback.suggested_agency == office.ward


# -- tracking -----------------------------------------------------------------------------------
def test_tracking_never_shows_the_sender(office, client):
    feedback = make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field,
                             **{k: v for k, v in SENDER.items() if k != "address"}, address=SENDER["address"],
                             answer="Đã thay bóng đèn. Liên hệ bà Nguyễn Thị Gửi 0912345678 nếu cần.")
    response = client.get(f"{URL}/track/{feedback.code}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered" and data["status_label"] == "Đã trả lời"
    assert data["answer"]["text"] and data["events"]
    text = response.content.decode()
    for private in ("Nguyễn Thị Gửi", "Nguy\\u1ec5n", "0912345678", "gui@example.vn", "12 Lê Lợi", "12 L\\u00ea"):
        assert private not in text


def test_tracking_an_unknown_code_is_404_and_is_rate_limited(office, client, settings):
    from egov.core.ratelimit import parse_rate

    settings.RATE_TRACKING = parse_rate("EGOV_RATE_TRACKING", "3/m")
    assert client.get(f"{URL}/track/PA-260101-9999").status_code == 404
    assert client.get(f"{URL}/track/khong-co").status_code == 404
    assert client.get(f"{URL}/track/PA-260101-9998").status_code == 404
    assert client.get(f"{URL}/track/PA-260101-9997").status_code == 429


# -- published answers --------------------------------------------------------------------------
def test_published_answers_are_found_with_or_without_diacritics(office, client):
    lamp = make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field,
                         subject="Đèn chiếu sáng hỏng", answer="Đã thay bóng đèn chiếu sáng đường Lê Lợi.")
    make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field,
                  subject="Rác thải ven sông", answer="Đã thu gom rác ven sông Hương.")
    make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field,
                  subject="Không công khai", publish_consent=False, answer="Đèn chiếu sáng đã sửa.")
    for q in ("chiếu sáng", "chieu sang", "CHIEU SÁNG"):
        data = client.get(f"{URL}/published", {"q": q}).json()
        assert data["count"] == 1 and not data["more"], q
        (item,) = data["items"]
        assert item["code"] == lamp.code and "chiếu sáng" in item["text"] and item["agency"] == office.ward.name
    everything = client.get(f"{URL}/published").json()
    assert everything["count"] == 2
    assert [i["subject"] for i in everything["items"]] == ["Rác thải ven sông", "Đèn chiếu sáng hỏng"]
    page2 = client.get(f"{URL}/published", {"page": 2, "limit": 1}).json()
    assert [i["code"] for i in page2["items"]] == [lamp.code]
    assert client.get(f"{URL}/published", {"page": 0}).status_code == 422
    past = client.get(f"{URL}/published", {"page": 3, "limit": 1}).json()
    assert past["items"] == [] and past["count"] == 2
    for private in ("Nguyễn Văn Gửi", "Nguy\\u1ec5n V\\u0103n", "5 Lê Lợi", "5 L\\u00ea L"):
        assert private not in client.get(f"{URL}/published").content.decode()


# -- staff --------------------------------------------------------------------------------------
def test_a_read_key_lists_and_reads_its_agencies_feedback_only(office, client):
    ward_feedback = make_feedback(S.ASSIGNED, office=office.office, agency=office.ward, field=office.field)
    other = make_feedback(S.ASSIGNED, office=office.office, agency=office.other_ward, field=office.field)
    pending = make_feedback(S.PENDING, office=office.office)
    _, key = make_api_key(office.ward, "feedback:read")
    listed = client.get(URL, **bearer(key))
    assert listed.status_code == 200
    assert [i["code"] for i in listed.json()["items"]] == [ward_feedback.code]
    detail = client.get(f"{URL}/{ward_feedback.code}", **bearer(key))
    assert detail.status_code == 200 and detail.json()["sender_phone"] == ward_feedback.sender_phone
    assert client.get(f"{URL}/{other.code}", **bearer(key)).status_code == 404
    _, office_key = make_api_key(office.office, "feedback:read")
    codes = [i["code"] for i in client.get(URL, **bearer(office_key)).json()["items"]]
    assert pending.code not in codes and {ward_feedback.code, other.code} <= set(codes)
    assert client.get(URL, {"status": "assigned"}, **bearer(office_key)).json()["count"] == 2


def test_without_the_scope_or_a_key_staff_endpoints_refuse(office, client):
    feedback = make_feedback(S.NEW, office=office.office)
    _, dossier_key = make_api_key(office.office, "dossiers:read")
    assert client.get(URL).status_code == 401
    assert client.get(URL, **bearer(dossier_key)).status_code == 403
    _, read_only = make_api_key(office.office, "feedback:read")
    route = {"field": office.field.code, "agency": office.ward.code}
    refused = client.post(f"{URL}/{feedback.code}/route", route, content_type="application/json", **bearer(read_only))
    assert refused.status_code == 403
    feedback.refresh_from_db()
    assert feedback.status == S.NEW


def test_a_write_key_routes_answers_approves_and_the_answer_is_public(office, client):
    feedback = make_feedback(S.NEW, office=office.office)
    _, office_key = make_api_key(office.office, "feedback:read", "feedback:write")
    _, ward_key = make_api_key(office.ward, "feedback:read", "feedback:write")
    _, other_key = make_api_key(office.other_ward, "feedback:read", "feedback:write")
    routed = client.post(f"{URL}/{feedback.code}/route", {"field": office.field.code, "agency": office.ward.code},
                         content_type="application/json", **bearer(office_key))
    assert routed.status_code == 200
    assert routed.json()["status"] == "assigned" and routed.json()["agency"] == office.ward.code
    assert routed.json()["due_at"]
    # Another ward cannot see it, let alone answer it.
    stranger = client.post(f"{URL}/{feedback.code}/answer", {"text": "Không phải việc của tôi."},
                           content_type="application/json", **bearer(other_key))
    assert stranger.status_code == 404
    drafted = client.post(f"{URL}/{feedback.code}/answer", {"text": "Đã thay bóng đèn chiếu sáng."},
                          content_type="application/json", **bearer(ward_key))
    assert drafted.status_code == 200 and drafted.json()["status"] == "review"
    twice = client.post(f"{URL}/{feedback.code}/answer", {"text": "Lần hai."}, content_type="application/json",
                        **bearer(ward_key))
    assert twice.status_code == 409
    approved = client.post(f"{URL}/{feedback.code}/approve", {}, content_type="application/json", **bearer(ward_key))
    assert approved.status_code == 200
    assert approved.json()["status"] == "answered" and approved.json()["is_published"]
    found = client.get(f"{URL}/published", {"q": "bong den"}).json()
    assert [i["code"] for i in found["items"]] == [feedback.code]
    assert FeedbackAnswer.objects.get(feedback=feedback).is_published


def test_closing_keeps_not_competent_apart_and_needs_a_reason(office, client):
    first, second = make_feedback(S.NEW, office=office.office), make_feedback(S.NEW, office=office.office)
    _, key = make_api_key(office.office, "feedback:read", "feedback:write")
    assert client.post(f"{URL}/{first.code}/close", {"reason": ""}, content_type="application/json",
                       **bearer(key)).status_code == 422
    closed = client.post(f"{URL}/{first.code}/close", {"reason": "Trùng nội dung đã trả lời"},
                         content_type="application/json", **bearer(key))
    not_competent = client.post(f"{URL}/{second.code}/close", {"reason": "Việc của tòa án", "not_competent": True},
                                content_type="application/json", **bearer(key))
    assert (closed.json()["status"], not_competent.json()["status"]) == ("closed", "not_competent")
    again = client.post(f"{URL}/{first.code}/close", {"reason": "Lần nữa"}, content_type="application/json",
                        **bearer(key))
    assert again.status_code == 409


def test_every_feedback_route_is_in_the_schema_with_its_statuses(client):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    submit = paths[URL]["post"]
    assert {"201", "200", "403", "422", "429"} <= set(submit["responses"])
    assert set(submit["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "404", "429"} <= set(paths[f"{URL}/track/{{code}}"]["get"]["responses"])
    assert {"401", "403"} <= set(paths[URL]["get"]["responses"])


def test_what_the_schema_refuses_is_refused(office, client):
    assert client.post(URL, {**body(), "publish_consent": "maybe"}).status_code == 422
    assert post(client, body(), HTTP_IDEMPOTENCY_KEY="k" * 121).status_code == 422
    assert post(client, body(subject="x" * 256)).status_code == 422
    assert not Feedback.objects.exists()
