"""The one-stop forms printed from a dossier (phiếu kiểm soát, phiếu yêu cầu bổ sung, phiếu từ chối),
their permission checks, and the counter's supplement and refusal at intake with the printed form."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from egov.core.audit import history_of
from egov.core.errors import StateError
from egov.core.models import AuditEntry
from egov.dossiers import services, workflow
from egov.dossiers.models import Dossier
from tests.dossiers.factories import applicant_data, aware
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
S = Dossier.Status
SHOTS = Path("/tmp/shots")


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def pdf_text(content: bytes) -> str:
    """The text a reader copies out of the PDF, line breaks of wrapped cells as plain spaces."""
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def render(content: bytes, name: str) -> None:
    """Rendered as the officer's printer sees it, for looking at (poppler's pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        return
    SHOTS.mkdir(exist_ok=True)
    source = SHOTS / f"print-{name}.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(SHOTS / f"print-{name}")], check=True)
    source.unlink()


def handled(world) -> Dossier:
    """Received on time at the counter, late at the specialist, approved by the leader, returned."""
    dossier = world.received(received="2026-03-02 09:00")
    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-03-02 09:30"))
    workflow.forward(dossier=dossier, officer=world.specialist, note="Đủ điều kiện",
                     at=aware("2026-03-20 10:00"))
    workflow.approve(dossier=dossier, officer=world.leader, at=aware("2026-03-20 15:00"))
    workflow.return_result(dossier=dossier, actor=world.counter, method="counter")
    return dossier.refresh()


def test_control_sheet_lists_every_step_who_when_and_on_time_or_late(client, world):
    dossier = handled(world)
    login(client, world.counter)

    response = client.get(reverse("dossier-control-pdf", args=[dossier.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    render(response.content, "control")
    text = pdf_text(response.content)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert dossier.code in text and dossier.applicant_name in text and world.procedure.name in text
    steps = list(dossier.steps.order_by("seq"))
    for step in steps:
        assert f"{step.seq}. {step.name}" in text
    # who handed each step on, when, and whether on time
    assert "Lê Thị Một Cửa" in text and "Phan Văn Chuyên" in text and "Võ Minh Lãnh" in text
    assert "09:30 02/03/2026" in text and "10:00 20/03/2026" in text
    assert "Đúng hạn" in text  # the counter's step, handed on within the morning
    assert "Quá hạn" in text   # the specialist's, eighteen days later
    assert "Chuyển bước tiếp theo: Đủ điều kiện" in text
    assert "Trả kết quả" in text


def test_supplement_form_of_a_request_during_processing(client, world):
    dossier = world.received(received="2026-03-02 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.request_supplement(dossier=dossier, officer=world.specialist,
                                missing=["Bản sao giấy chứng nhận kết hôn", "Tờ khai có chữ ký"],
                                note="Tờ khai thiếu chữ ký người yêu cầu")
    supplement = dossier.supplements.get()
    login(client, world.specialist)

    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    url = reverse("dossier-supplement-pdf", args=[dossier.pk, supplement.pk])
    assert f'href="{url}"' in detail
    response = client.get(url)

    assert response.status_code == 200
    render(response.content, "supplement")
    text = pdf_text(response.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert dossier.code in text and dossier.applicant_name in text and world.procedure.name in text
    assert "1. Bản sao giấy chứng nhận kết hôn" in text and "2. Tờ khai có chữ ký" in text
    assert "Tờ khai thiếu chữ ký người yêu cầu" in text and "Phan Văn Chuyên" in text


def test_refusal_form_of_an_online_dossier_refused_at_intake(client, world):
    dossier = world.submitted()
    services.refuse(dossier=dossier, officer=world.counter, reason="Thủ tục không thuộc thẩm quyền của xã")
    login(client, world.counter)

    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    url = reverse("dossier-refusal-pdf", args=[dossier.pk])
    assert f'href="{url}"' in detail
    response = client.get(url)

    assert response.status_code == 200
    render(response.content, "refusal")
    text = pdf_text(response.content)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert dossier.applicant_name in text and world.procedure.name in text and "Trực tuyến" in text
    assert "Thủ tục không thuộc thẩm quyền của xã" in text and "Lê Thị Một Cửa" in text


def test_forms_are_for_officers_who_may_see_the_dossier(client, world, citizen):
    dossier = handled(world)
    workflow_dossier = world.received(received="2026-03-03 09:00")
    workflow.forward(dossier=workflow_dossier, officer=world.counter)
    workflow.request_supplement(dossier=workflow_dossier, officer=world.specialist, missing=["Tờ khai"])
    refused = world.submitted()
    services.refuse(dossier=refused, officer=world.counter, reason="Sai cơ quan")
    urls = [reverse("dossier-control-pdf", args=[dossier.pk]),
            reverse("dossier-supplement-pdf", args=[workflow_dossier.pk, workflow_dossier.supplements.get().pk]),
            reverse("dossier-refusal-pdf", args=[refused.pk])]

    login(client, world.other_counter)  # an officer of another agency
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    login(client, citizen)  # the applicant: their papers are on their own page, not these
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)  # to the login page
    login(client, world.leader)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # a form that does not fit the dossier is not printed
    assert client.get(reverse("dossier-refusal-pdf", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("dossier-supplement-pdf",
                              args=[dossier.pk, workflow_dossier.supplements.get().pk])).status_code == 404


# -- at the counter: supplement or refuse instead of receiving -----------------------------------
def intake_form(world, **extra):
    return {"procedure": world.procedure.code, "token": "k1",
            **applicant_data(applicant_name="Lê Văn Khách", applicant_phone="0912345678"), **extra}


def test_counter_asks_a_walk_in_to_supplement_with_the_printed_form(client, world):
    login(client, world.counter)
    url = reverse("dossier-intake")
    page = client.get(url, {"thu-tuc": world.procedure.code}).content.decode()
    assert 'value="supplement"' in page and 'value="refuse"' in page

    response = client.post(url, intake_form(world, intent="supplement", missing=["Tờ khai"],
                                            missing_other="Bản sao CCCD còn hạn\n",
                                            reason="Tờ khai chưa ghi ngày sinh"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    render(response.content, "intake-supplement")
    text = pdf_text(response.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Lê Văn Khách" in text and "0912345678" in text and world.procedure.name in text
    assert "1. Tờ khai" in text and "2. Bản sao CCCD còn hạn" in text and "Tờ khai chưa ghi ngày sinh" in text
    assert "Lê Thị Một Cửa" in text and world.agency.name in text
    assert not Dossier.objects.exists()  # not received: the applicant comes back with the papers
    entry = AuditEntry.objects.get(action="dossier.counter_supplement")
    assert entry.agency == world.agency and entry.actor == world.counter
    assert entry.summary["missing"] == ["Tờ khai", "Bản sao CCCD còn hạn"]


def test_counter_supplement_needs_what_to_supplement(client, world):
    login(client, world.counter)
    response = client.post(reverse("dossier-intake"), intake_form(world, intent="supplement"))
    assert response.status_code == 400
    assert "Cần liệt kê giấy tờ, nội dung cần bổ sung." in response.content.decode()
    assert not AuditEntry.objects.filter(action="dossier.counter_supplement").exists()


def test_counter_refuses_a_walk_in_and_prints_the_refusal(client, world):
    login(client, world.counter)
    url = reverse("dossier-intake")
    assert client.post(url, intake_form(world, intent="refuse")).status_code == 400  # a reason is required
    assert not Dossier.objects.exists()

    response = client.post(url, intake_form(world, intent="refuse", reason="Người nộp không có giấy ủy quyền"))

    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dossier-detail", args=[dossier.pk])
    assert dossier.status == S.REFUSED and dossier.channel == Dossier.Channel.COUNTER and dossier.code is None
    assert dossier.received_by == world.counter
    assert [e.action for e in history_of(dossier)] == ["dossier.refused"]
    detail = client.get(response["Location"]).content.decode()
    assert reverse("dossier-refusal-pdf", args=[dossier.pk]) in detail
    text = pdf_text(client.get(reverse("dossier-refusal-pdf", args=[dossier.pk])).content)
    assert "Lê Văn Khách" in text and "Người nộp không có giấy ủy quyền" in text
    assert "Trực tiếp tại bộ phận một cửa" in text
    assert services.tally_differences(world.agency) == []  # counted as a refused dossier of the day


def test_only_the_counter_may_refuse_at_intake(world):
    from egov.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.refuse_at_counter(officer=world.specialist, procedure=world.procedure,
                                   data=applicant_data(), reason="x")
    with pytest.raises(PermissionDenied):
        services.supplement_at_counter(officer=world.specialist, procedure=world.procedure,
                                       data=applicant_data(), missing=["Tờ khai"])


def test_counter_asks_an_online_dossier_to_be_completed_before_receiving_it(client, world):
    from tests.dossiers.factories import upload

    dossier = world.submitted()
    login(client, world.counter)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert 'value="request_supplement"' in detail

    response = client.post(reverse("dossier-act", args=[dossier.pk]),
                           {"action": "request_supplement", "version": dossier.version,
                            "missing": "Bản sao CCCD rõ nét\nTờ khai có chữ ký", "note": "Ảnh chụp bị mờ"})

    assert response.status_code == 302
    dossier.refresh()
    assert dossier.status == S.SUBMITTED and dossier.received_at is None and dossier.due_at is None
    entry = next(e for e in history_of(dossier) if e.action == "dossier.supplement_requested")
    assert entry.summary["at_intake"] is True and entry.actor == world.counter
    supplement = dossier.supplements.get()
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert 'value="request_supplement"' not in detail  # one open request at a time
    text = pdf_text(client.get(reverse("dossier-supplement-pdf", args=[dossier.pk, supplement.pk])).content)
    assert "1. Bản sao CCCD rõ nét" in text and "2. Tờ khai có chữ ký" in text and "Ảnh chụp bị mờ" in text
    assert dossier.applicant_name in text and "Lê Thị Một Cửa" in text

    # the citizen sends the papers from their page; the dossier still waits for intake
    login(client, world.citizen)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Bản sao CCCD rõ nét" in page and "Gửi bổ sung" in page
    paper = world.procedure.papers.last()
    client.post(reverse("dossier-resubmit", args=[dossier.pk]),
                {"version": dossier.refresh().version, f"paper_{paper.pk}": upload("photo.jpg")})
    dossier.refresh()
    assert dossier.status == S.SUBMITTED and dossier.files.filter(supplement=supplement).count() == 1
    assert dossier.supplements.get().resumed_at is not None
    assert "dossier.supplemented" in [e.action for e in history_of(dossier)]

    # and the counter receives it: the clock starts now
    services.accept(dossier=dossier, officer=world.counter)
    assert dossier.refresh().status == S.RECEIVED and dossier.due_at is not None


def test_accepting_settles_an_unanswered_intake_supplement(world):
    dossier = world.submitted()
    services.request_supplement_at_intake(dossier=dossier, officer=world.counter, missing=["Tờ khai"])
    with pytest.raises(StateError):  # one open request at a time
        services.request_supplement_at_intake(dossier=dossier, officer=world.counter, missing=["Tờ khai"])
    services.accept(dossier=dossier, officer=world.counter)
    assert not dossier.supplements.filter(resumed_at__isnull=True).exists()
    with pytest.raises(StateError):  # received: the processing supplement applies now
        services.request_supplement_at_intake(dossier=dossier.refresh(), officer=world.counter, missing=["x"])
