"""API: filing with papers and Idempotency-Key, reading, acting, public tracking, stats, inbound SMS."""

import json
from pathlib import Path

import pytest

from egov.dossiers import services, workflow
from egov.dossiers.models import Dossier, DossierFile
from egov.notify.models import SmsMessage
from tests.dossiers.factories import applicant_data, upload
from tests.factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db
S = Dossier.Status


def papers(world, first="paper.pdf", second="id_card.png"):
    ids = list(world.procedure.papers.values_list("pk", flat=True))
    return {f"paper_{ids[0]}": upload(first), f"paper_{ids[1]}": upload(second)}


def test_citizen_files_through_the_api_once_per_idempotency_key(client, world):
    client.login(username=world.citizen.username, password=PASSWORD)
    body = {"procedure": world.procedure.code, "agency": world.agency.code}
    first = client.post("/api/v1/dossiers", {**body, **papers(world)}, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/dossiers", {**body, **papers(world)}, headers={"Idempotency-Key": "abc-1"})
    assert again.status_code == 200 and again.json()["ref"] == first.json()["ref"]
    assert Dossier.objects.count() == 1
    data = first.json()
    assert data["status"] == "submitted" and data["applicant_name"] == world.citizen.full_name  # from the account
    mine = client.get(f"/api/v1/dossiers/{data['ref']}")
    assert mine.status_code == 200 and mine.json()["code"] == data["code"]
    tracked = client.get(f"/api/v1/dossiers/track/{data['code']}")  # trackable at once, before intake
    assert tracked.status_code == 200 and tracked.json()["status_label"] == "Chờ tiếp nhận"
    assert tracked.json()["received_at"] is None and tracked.json()["due_at"] is None


def test_replayed_submission_answers_as_the_first_did(client, world):
    _, raw = make_api_key(world.agency, "dossiers:write")
    auth = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "he-thong-1"}
    body = {"procedure": world.procedure.code, "agency": world.agency.code, **applicant_data()}
    first = client.post("/api/v1/dossiers", {**body, **papers(world)}, headers=auth)
    again = client.post("/api/v1/dossiers", {**body, **papers(world)}, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["results"] == [] and first.json()["procedure"] == world.procedure.code


def test_submission_missing_a_mandatory_paper_stores_nothing(client, world, settings):
    _, raw = make_api_key(world.agency, "dossiers:write")
    one_paper = dict(list(papers(world).items())[:1])
    response = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                                **applicant_data(), **one_paper},
                           headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422 and response.json()["code"] == "missing_papers"
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert not [f for f in Path(settings.MEDIA_ROOT).rglob("*") if f.is_file()]


def test_submission_failing_after_its_files_are_written_leaves_no_file(world, settings, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        world.submitted()
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert not [f for f in Path(settings.MEDIA_ROOT).rglob("*") if f.is_file()]


def test_api_refuses_a_paper_by_content_as_json(client, world, settings):
    client.login(username=world.citizen.username, password=PASSWORD)
    response = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                                **papers(world, second="png_named.pdf")})
    assert response.status_code == 422
    assert response.json()["code"] == "file_type_mismatch" and "không khớp" in response.json()["message"]
    assert Dossier.objects.count() == 0


def test_external_system_files_with_a_write_key(client, world):
    _, raw = make_api_key(world.agency, "dossiers:write", "dossiers:read")
    auth = {"Authorization": f"Bearer {raw}"}
    response = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                                **applicant_data(), **papers(world)}, headers=auth)
    assert response.status_code == 201, response.content
    _, read_only = make_api_key(world.agency, "dossiers:read")
    refused = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                               **applicant_data(), **papers(world)},
                          headers={"Authorization": f"Bearer {read_only}"})
    assert refused.status_code == 403
    assert client.post("/api/v1/dossiers", {"procedure": world.procedure.code}).status_code == 401


def test_staff_act_through_the_api_and_conflicts_are_409(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    client.login(username=world.counter.username, password=PASSWORD)
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    ok = client.post(url, json.dumps({"action": "forward", "version": dossier.version}), content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["current_step"] == "Thẩm định hồ sơ"
    stale = client.post(url, json.dumps({"action": "forward", "version": dossier.version}),
                        content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_moved"
    denied = client.post(url, json.dumps({"action": "forward"}), content_type="application/json")
    assert denied.status_code == 403
    client.login(username=world.specialist.username, password=PASSWORD)
    supplement = client.post(url, json.dumps({"action": "request_supplement", "missing": ["Tờ khai có chữ ký"]}),
                             content_type="application/json")
    assert supplement.status_code == 200 and supplement.json()["status"] == "waiting_supplement"
    unknown = client.post(url, json.dumps({"action": "fly"}), content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid"  # not an action: refused by the schema


def test_dossier_detail_only_for_owner_or_staff_of_the_agency(client, world):
    dossier = world.received()
    client.login(username=world.other_counter.username, password=PASSWORD)
    assert client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 404
    client.login(username=world.specialist.username, password=PASSWORD)
    assert client.get(f"/api/v1/dossiers/{dossier.code}").json()["applicant_name"] == world.citizen.full_name
    client.login(username=world.citizen.username, password=PASSWORD)
    assert client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    client.logout()
    assert client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 401


def test_public_tracking_api_without_personal_data(client, world, django_assert_max_num_queries):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/dossiers/track/{dossier.code}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "in_progress" and data["agency_code"] == world.agency.code
    assert [s["name"] for s in data["steps"]] == ["Tiếp nhận, chuyển xử lý", "Thẩm định hồ sơ"]
    text = json.dumps(response.json(), ensure_ascii=False)  # the names as written, not \u-escaped
    for personal in (world.citizen.full_name, world.citizen.identity_number, world.citizen.phone, "applicant",
                     world.counter.full_name):
        assert personal not in text
    assert client.get("/api/v1/dossiers/track/KHONG-CO").status_code == 404


def test_tracking_json_is_what_ninja_renders_through_the_schema(client, world):
    """The tracking route writes its JSON itself (no schema validation per request): byte for byte
    what Ninja renders from TrackOut, for dossiers in every state a citizen can look up."""
    from ninja.responses import NinjaJSONEncoder

    from egov.dossiers.api import TrackOut
    from egov.dossiers.selectors import track

    dossiers = world.in_each_tracked_state()
    codes = [d.code for d in dossiers.values()]
    for code in codes:
        response = client.get(f"/api/v1/dossiers/track/{code}")
        assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
        ninja = json.dumps(TrackOut.model_validate(track(code)).model_dump(), cls=NinjaJSONEncoder)
        assert response.content.decode() == ninja
    statuses = {client.get(f"/api/v1/dossiers/track/{code}").json()["status"] for code in codes}
    assert statuses == {"received", "waiting_supplement", "returned"}
    assert client.get(f"/api/v1/dossiers/track/{dossiers['overdue'].code}").json()["overdue"] is True


def test_public_stats_api(client, world):
    world.received(received="2026-11-25 09:00")
    world.received(received="2026-10-20 09:00")
    response = client.get("/api/v1/stats/dossiers", {"agency": world.agency.code, "from": "2026-11-01",
                                                     "to": "2026-11-30"})
    assert response.status_code == 200
    data = response.json()
    assert data["received"] == 1 and data["counter"] == 1 and data["on_time_rate"] is None
    assert data["carried_over"] == 1  # received in October, still open on 1 November
    assert client.get("/api/v1/stats/dossiers", {"agency": world.agency.code}).json()["carried_over"] is None
    assert client.get("/api/v1/stats/dossiers", {"agency": "KHONG"}).status_code == 404
    assert client.get("/api/v1/stats/dossiers", {"from": "2026-12-01", "to": "2026-11-01"}).status_code == 422


@pytest.mark.parametrize("text", ["TRACUU {code}", "tracuu {code}", "Tra cứu {code}", "TRA CUU {code}",
                                  "  trA Cứu: {code}"])
def test_inbound_sms_tracuu_replies_with_the_status(client, world, text):
    dossier = world.received(received="2026-11-25 09:00")
    _, raw = make_api_key(world.agency, "sms:inbound")
    response = client.post("/api/v1/sms/inbound", json.dumps({"from": "0905123456", "text": text.format(code=dossier.code.lower())}),
                           content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    reply = response.json()["reply"]
    assert dossier.code in reply and "Da tiep nhan" in reply and "02/12/2026" in reply
    assert len(reply) <= 160
    assert list(SmsMessage.objects.order_by("id").values_list("direction", "phone")) == [("in", "0905123456"),
                                                                                         ("out", "0905123456")]


def test_inbound_sms_unknown_code_and_unknown_command_get_help(client, world):
    _, raw = make_api_key(world.agency, "sms:inbound")
    auth = {"Authorization": f"Bearer {raw}"}
    unknown = client.post("/api/v1/sms/inbound", json.dumps({"from": "0905", "text": "TRACUU ABC-1"}),
                          content_type="application/json", headers=auth).json()["reply"]
    assert "Khong tim thay ho so ABC-1" in unknown and "TRACUU" in unknown and len(unknown) <= 160
    hello = client.post("/api/v1/sms/inbound", json.dumps({"from": "0905", "text": "xin chao"}),
                        content_type="application/json", headers=auth).json()["reply"]
    assert hello.startswith("De tra cuu ho so")
    _, other = make_api_key(world.agency, "dossiers:read")
    assert client.post("/api/v1/sms/inbound", json.dumps({"from": "0905", "text": "TRACUU X"}),
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {other}"}).status_code == 403


def test_citizen_is_told_by_sms_when_the_dossier_is_received(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.received(received="2026-11-25 09:00")
    message = SmsMessage.objects.get(direction="out")
    assert message.phone == world.citizen.phone and dossier.code in message.text and message.status == "sent"


def test_citizen_is_told_about_supplements_and_results(world, django_capture_on_commit_callbacks):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_supplement(dossier=dossier, officer=world.specialist, missing=["Tờ khai"])
    assert "can bo sung" in SmsMessage.objects.get().text
    workflow.resubmit(dossier=dossier, citizen=world.citizen)
    workflow.forward(dossier=dossier, officer=world.specialist)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(dossier=dossier, officer=world.leader)
    texts = list(SmsMessage.objects.order_by("id").values_list("text", flat=True))
    assert len(texts) == 2 and "da co ket qua" in texts[1] and all(len(t) <= 160 for t in texts)


def test_routes_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/dossiers", "/api/v1/dossiers/{code}", "/api/v1/dossiers/{code}/actions",
                 "/api/v1/dossiers/track/{code}", "/api/v1/stats/dossiers", "/api/v1/sms/inbound"):
        assert path in paths, path


def test_receipt_qr_points_to_the_public_tracking_page(world, settings):
    settings.SITE_URL = "https://dichvucong.example.vn"
    dossier = world.received(received="2026-11-25 09:00")
    assert dossier.tracking_url == f"https://dichvucong.example.vn/ho-so/tra-cuu/{dossier.code}/"


def test_submission_to_an_inactive_procedure_or_agency_is_404_and_stores_nothing(client, world):
    from egov.procedures.models import Procedure

    _, raw = make_api_key(world.agency, "dossiers:write")
    body = {"procedure": world.procedure.code, "agency": world.agency.code, **applicant_data()}
    auth = {"Authorization": f"Bearer {raw}"}
    Procedure.objects.filter(pk=world.procedure.pk).update(is_active=False)
    assert client.post("/api/v1/dossiers", {**body, **papers(world)}, headers=auth).status_code == 404
    Procedure.objects.filter(pk=world.procedure.pk).update(is_active=True)
    assert client.post("/api/v1/dossiers", {**body, "agency": "KHONG-CO", **papers(world)},
                       headers=auth).status_code == 404
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0


def test_an_api_submission_is_stored_as_the_orm_reads_it(client, world):
    """The submission's rows are written by fixed SQL: read back through the ORM, they hold what was sent."""
    from egov.core.audit import verify_chains
    from egov.core.models import AuditEntry

    _, raw = make_api_key(world.agency, "dossiers:write")
    response = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                                **applicant_data(), **papers(world)},
                           headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(ref=response.json()["ref"])
    assert (dossier.status, dossier.procedure_id, dossier.agency_id) == (S.SUBMITTED, world.procedure.pk,
                                                                         world.agency.pk)
    assert dossier.applicant_name == applicant_data()["applicant_name"] and dossier.search_folded
    assert response.json()["submitted_at"].startswith(dossier.submitted_at.isoformat()[:19])
    files = list(dossier.files.order_by("pk"))
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    assert all(f.file.read() and f.file.size == f.size for f in files)
    assert list(dossier.events.values_list("kind", flat=True)) == ["submitted"]
    entry = AuditEntry.objects.get(action="dossier.submitted", object_id=str(dossier.pk))
    assert entry.summary == {"procedure": world.procedure.code} and entry.actor_label.startswith("API: ")
    assert verify_chains()[1] == []


def test_a_procedure_without_required_papers_is_filed_with_none(client, world):
    from tests.dossiers.factories import make_procedure

    procedure = make_procedure(papers=())
    _, raw = make_api_key(world.agency, "dossiers:write")
    response = client.post("/api/v1/dossiers", {"procedure": procedure.code, "agency": world.agency.code,
                                                **applicant_data()}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 201, response.content
    assert Dossier.objects.get(ref=response.json()["ref"]).files.count() == 0


def test_missing_papers_are_named_in_the_procedures_order(client, world):
    from tests.dossiers.factories import make_procedure

    procedure = make_procedure(papers=("Tờ khai", "Giấy chứng sinh", "Bản sao CCCD"))
    first = procedure.papers.order_by("order").first()
    _, raw = make_api_key(world.agency, "dossiers:write")
    response = client.post("/api/v1/dossiers", {"procedure": procedure.code, "agency": world.agency.code,
                                                **applicant_data(), f"paper_{first.pk}": upload("paper.pdf")},
                           headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert response.json()["details"]["missing"] == ["Giấy chứng sinh", "Bản sao CCCD"]
