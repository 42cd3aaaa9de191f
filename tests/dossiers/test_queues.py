"""The queues of waiting work: the counter's "Đang chờ tôi xử lý", the leader's "Việc cần xử lý",
forwarding to a person or a department, reassigning, accepting several online dossiers, and the
counts on the staff home page and the menu."""

import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.core.audit import history_of
from egov.documents import services as document_services
from egov.documents.doctypes import seed_document_types
from egov.documents.models import DocumentType
from egov.documents.services import Target
from egov.dossiers import services, workflow
from egov.dossiers.models import Dossier
from egov.org.roles import Role
from tests.dossiers.factories import aware
from tests.factories import PASSWORD, make_department, make_official

pytestmark = pytest.mark.django_db
S = Dossier.Status


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def link(dossier) -> str:
    return f'href="{reverse("dossier-detail", args=[dossier.pk])}"'


def at_leader(world, *, received="2026-11-25 09:00"):
    dossier = world.received(received=received)
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.forward(dossier=dossier, officer=world.specialist)
    return dossier


def resolved(world):
    dossier = at_leader(world)
    workflow.approve(dossier=dossier, officer=world.leader)
    return dossier


def figures(page: str) -> dict[str, tuple[int, str]]:
    """{figure key: (count, link)} as the home page shows them."""
    found = re.findall(r'<a href="([^"]+)" data-figure="([^"]+)"><span class="n">(\d+)</span>', page)
    return {key: (int(n), url.replace("&amp;", "&")) for url, key, n in found}


def menu_badges(page: str) -> dict[str, int]:
    found = re.findall(r'data-menu="([^"]+)"[^>]*>[^<]*<span class="badge count"[^>]*>(\d+)</span>', page)
    return {name: int(n) for name, n in found}


# -- 1. the counter's queue -------------------------------------------------------------------
def test_counter_queue_holds_online_submissions_accepted_dossiers_and_results_to_return(client, world):
    submitted = world.submitted()
    accepted = world.received()                  # at the counter's first step
    to_return = resolved(world)                  # approved, waiting at the counter to be handed over
    at_specialist = world.received()
    workflow.forward(dossier=at_specialist, officer=world.counter)
    login(client, world.counter)
    page = client.get(reverse("dossier-list"), {"cua-toi": "1"}).content.decode()
    assert "Hồ sơ đang chờ tôi xử lý" in page
    for dossier in (submitted, accepted, to_return):
        assert link(dossier) in page
    assert link(at_specialist) not in page
    groups = dict(re.findall(r'data-group="([^"]+)"[^>]*>[^<]*<span class="badge">(\d+)</span>', page))
    assert groups == {"tiep-nhan": "1", "tra-ket-qua": "1", "xu-ly": "1"}
    only_intake = client.get(reverse("dossier-list"), {"nhom": "tiep-nhan"}).content.decode()
    assert link(submitted) in only_intake and link(accepted) not in only_intake
    only_return = client.get(reverse("dossier-list"), {"nhom": "tra-ket-qua"}).content.decode()
    assert link(to_return) in only_return and link(submitted) not in only_return


def test_a_specialist_queue_holds_only_the_dossiers_at_their_step(client, world):
    world.submitted()
    mine = world.received()
    workflow.forward(dossier=mine, officer=world.counter)
    login(client, world.specialist)
    page = client.get(reverse("dossier-list"), {"cua-toi": "1"}).content.decode()
    assert link(mine) in page
    assert len(re.findall(r'href="/ho-so/\d+/"', page)) == 1
    assert 'data-group="tiep-nhan"' not in page


# -- 2. the leader's one queue ----------------------------------------------------------------
def test_leader_work_queue_holds_dossiers_to_approve_overdue_first_and_documents(client, world):
    overdue = at_leader(world, received="2026-01-05 09:00")
    waiting = [at_leader(world) for _ in range(4)]
    seed_document_types()
    clerk = make_official(Role.CLERK, agency=world.agency)
    document = document_services.register_incoming(
        actor=clerk, agency=world.agency, doc_type=DocumentType.objects.get(code="CV"),
        summary="V/v rà soát thủ tục hành chính")
    document_services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.leader)])
    login(client, world.leader)
    page = client.get(reverse("documents:tasks")).content.decode()
    assert "Không có việc nào cần xử lý" not in page
    kinds = re.findall(r'data-testid="task" data-kind="(\w+)"', page)
    assert kinds.count("dossier") == 5 and kinds.count("assignment") == 1
    assert kinds[0] == "dossier" and page.index(overdue.code) < min(page.index(d.code) for d in waiting)
    first = page[page.index('data-testid="task"'):page.index(waiting[0].code)]
    assert "Quá hạn" in first and "Phê duyệt hồ sơ" in first
    assert "1 việc đã quá hạn" in page
    assert "V/v rà soát thủ tục hành chính" in page
    assert menu_badges(page)["documents:tasks"] == 6


def test_work_queue_is_empty_only_when_nothing_waits(client, world):
    login(client, world.leader)
    page = client.get(reverse("documents:tasks")).content.decode()
    assert "Không có việc nào cần xử lý" in page and "menu-count" not in page


# -- 4. the home page's counts ----------------------------------------------------------------
def test_counter_home_counts_open_their_lists(client, world):
    world.submitted()
    world.submitted(key="k2")
    resolved(world)
    today = world.received()
    local_now = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    Dossier.objects.filter(pk=today.pk).update(due_at=local_now.replace(hour=23, minute=59))
    late = world.received(received="2026-01-05 09:00")
    login(client, world.counter)
    page = client.get(reverse("staff-home")).content.decode()
    shown = figures(page)
    assert shown["dossiers.tiep-nhan"] == (2, "/ho-so/?nhom=tiep-nhan")
    assert shown["dossiers.tra-ket-qua"][0] == 1
    assert shown["dossiers.due_today"] == (1, "/ho-so/?cua-toi=1&han=hom-nay")
    assert shown["dossiers.due_soon"][0] == 1
    assert shown["dossiers.overdue"] == (1, "/ho-so/?cua-toi=1&qua-han=1")
    assert "dossiers.phe-duyet" not in shown  # not a leader
    assert menu_badges(page)["dossier-list"] == 5 and menu_badges(page)["dossier-intake"] == 2
    due_today = client.get(shown["dossiers.due_today"][1]).content.decode()
    assert link(today) in due_today and link(late) not in due_today
    overdue = client.get(shown["dossiers.overdue"][1]).content.decode()
    assert link(late) in overdue and link(today) not in overdue


def test_leader_home_counts_what_waits_for_approval(client, world):
    at_leader(world, received="2026-01-05 09:00")
    at_leader(world)
    login(client, world.leader)
    shown = figures(client.get(reverse("staff-home")).content.decode())
    assert shown["dossiers.phe-duyet"] == (2, "/ho-so/?nhom=phe-duyet")
    assert shown["dossiers.overdue"][0] == 1
    assert shown["documents.reviews"][0] == 0
    assert "dossiers.tiep-nhan" not in shown and shown["dossiers.mine"][0] == 2


def test_badges_cost_one_statement_per_page(client, world):
    world.submitted()
    login(client, world.counter)
    client.get(reverse("staff-home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("documents:incoming"))
    counting = [q["sql"] for q in ctx.captured_queries if "count(*) FROM" in q["sql"]]
    assert len(counting) == 1


# -- 3. forwarding to a person or a department, reassigning ----------------------------------
def test_forward_to_a_chosen_specialist_only_they_handle_it(client, world):
    second = make_official(Role.SPECIALIST, agency=world.agency, full_name="Đặng Chuyên Hai")
    dossier = world.received()
    login(client, world.counter)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert f'value="u:{second.pk}"' in detail and "Đặng Chuyên Hai" in detail
    assert f'value="u:{world.leader.pk}"' not in detail  # the next step is a specialist's
    response = client.post(reverse("dossier-act", args=[dossier.pk]), {
        "action": "forward", "version": dossier.refresh().version, "handler": f"u:{second.pk}"})
    assert response.status_code == 302
    client.logout()
    login(client, world.specialist)
    assert link(dossier) not in client.get(reverse("dossier-list"), {"cua-toi": "1"}).content.decode()
    assert 'data-action="request_supplement"' not in client.get(
        reverse("dossier-detail", args=[dossier.pk])).content.decode()
    client.logout()
    login(client, second)
    assert link(dossier) in client.get(reverse("dossier-list"), {"cua-toi": "1"}).content.decode()
    entry = history_of(dossier.refresh())
    assert any(e.action == "dossier.forwarded" and e.summary.get("assignee") == second.pk for e in entry)
    assert "Xử lý: Đặng Chuyên Hai" in client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()


def test_forward_to_a_department_queue_and_reassign(client, world):
    land = make_department(world.agency, name="Phòng Tài nguyên")
    surveyor = make_official(Role.SPECIALIST, agency=world.agency, department=land, full_name="Lý Địa Chính")
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter, department=land)
    dossier.refresh()
    assert dossier.current_step.department == land
    assert not workflow.can_act_on_step(world.specialist, dossier)   # not of that department
    assert workflow.can_act_on_step(surveyor, dossier)
    # The leader gives it back to the first specialist by name.
    login(client, world.leader)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert 'data-action="reassign"' in detail
    client.post(reverse("dossier-act", args=[dossier.pk]), {
        "action": "reassign", "version": dossier.version, "handler": f"u:{world.specialist.pk}",
        "note": "Chuyên viên Phan nắm hồ sơ này"})
    dossier.refresh()
    assert workflow.can_act_on_step(world.specialist, dossier)
    assert not workflow.can_act_on_step(surveyor, dossier)
    entries = [e for e in history_of(dossier) if e.action == "dossier.reassigned"]
    assert len(entries) == 1 and entries[0].summary["before"]["department"] == land.pk
    log = client.get(reverse("audit-log")).content.decode()
    assert "Phân công lại người xử lý" in log


def test_forward_refuses_someone_who_cannot_handle_the_step(client, world):
    dossier = world.received()
    login(client, world.counter)
    response = client.post(reverse("dossier-act", args=[dossier.pk]), {
        "action": "forward", "version": dossier.version, "handler": f"u:{world.leader.pk}"}, follow=True)
    assert "Người được chọn không xử lý được bước này." in response.content.decode()
    assert dossier.refresh().current_step.step_order == 1


def test_a_specialist_cannot_reassign_anothers_step(world):
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter, assignee=world.specialist)
    other = make_official(Role.SPECIALIST, agency=world.agency)
    assert not workflow.may_reassign(other, dossier)
    assert workflow.may_reassign(world.specialist, dossier) and workflow.may_reassign(world.leader, dossier)


# -- 3. accepting several online dossiers ------------------------------------------------------
def test_accept_several_online_dossiers_and_print_their_receipts(client, world, tmp_path):
    first, second, third = world.submitted(key="a"), world.submitted(key="b"), world.submitted(key="c")
    services.accept(dossier=third, officer=world.counter)
    login(client, world.counter)
    page = client.get(reverse("dossier-list"), {"nhom": "tiep-nhan"}).content.decode()
    assert 'data-testid="accept-many"' in page and f'name="dossier" value="{first.pk}"' in page
    response = client.post(reverse("dossier-accept-many"), {"dossier": [first.pk, second.pk, third.pk]})
    html = response.content.decode()
    assert response.status_code == 200 and "Đã tiếp nhận 2 hồ sơ" in html
    first.refresh(), second.refresh()
    assert first.status == second.status == S.RECEIVED and first.code in html and second.code in html
    receipts = re.search(r'href="([^"]+)" data-testid="receipts"', html).group(1).replace("&amp;", "&")
    pdf = client.get(receipts)
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "receipts.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2
    assert first.code in text and second.code in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\b", pages)
    # A dossier not received (still waiting at the counter) has no receipt to print.
    waiting = world.submitted(key="d")
    assert client.get(f"{reverse('dossier-receipts')}?id={waiting.pk}").status_code == 404
    accepted = [e for e in history_of(first) if e.action == "dossier.accepted"]
    assert len(accepted) == 1 and accepted[0].actor_id == world.counter.pk


def test_accept_many_is_for_the_counter_only(client, world):
    dossier = world.submitted()
    login(client, world.specialist)
    assert client.post(reverse("dossier-accept-many"), {"dossier": [dossier.pk]}).status_code == 403
    assert dossier.refresh().status == S.SUBMITTED


def test_due_soon_counts_today_and_the_next_working_day(world):
    from egov.dossiers import selectors

    dossier = world.received()
    now = aware("2026-11-27 10:00")  # a Friday: the next working day is Monday the 30th
    Dossier.objects.filter(pk=dossier.pk).update(due_at=aware("2026-11-30 16:00"))
    counts = selectors.queue_counts(world.counter, now=now)
    assert counts["due_soon"] == 1 and counts["due_today"] == 0 and counts["overdue"] == 0
    Dossier.objects.filter(pk=dossier.pk).update(due_at=aware("2026-12-01 16:00"))
    assert selectors.queue_counts(world.counter, now=now)["due_soon"] == 0
