"""Demo dossiers: for a few demo agencies, a handful in every state (waiting at the counter, at each
step, waiting for the citizen, transferred, resolved early/on time/late, returned, refused,
withdrawn, overdue with an apology letter), all made through the services with past timestamps.

The year of generated history for dashboards and benchmarks is a separate, bulk generator.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from egov.core.calendar import calendar_for
from egov.core.pdf import new_pdf, pdf_bytes
from egov.dossiers import services, workflow
from egov.dossiers.history import default_period, generate_history
from egov.dossiers.models import Dossier
from egov.dossiers.uploads import check_upload
from egov.org.models import Agency, Official, User
from egov.org.roles import Role
from egov.procedures.models import AgencyProcedure

NAME = "dossiers"
# Sở Tư pháp, and the three ward People's Committees of the org demo.
DEMO_AGENCIES = ["000.00.12.H57", "000.00.31.H57", "000.00.32.H57", "000.00.33.H57"]
APPLICANTS = [("Lê Thị Thu Hà", "046185001122", "0914000111", "25 Hùng Vương, phường Thuận Hóa"),
              ("Trần Quốc Bảo", "046092003344", "0935000222", "8 Đống Đa, phường Phú Xuân"),
              ("Phạm Minh Châu", "046301005566", "0979000333", "102 Phan Chu Trinh, phường Phú Vang"),
              ("Hoàng Văn Dũng", "046088007788", "0905000444", "14 Lý Thường Kiệt, phường Thuận Hóa"),
              ("Nguyễn Thị Mỹ Lệ", "046195009900", "0988000555", "3 Kim Long, phường Phú Xuân")]


def _officer(agency: Agency, role: str) -> User | None:
    official = (Official.objects.filter(agency=agency, role_assignments__role=role)
                .select_related("user").order_by("pk").first())
    return official.user if official else None


@functools.lru_cache(maxsize=256)
def _paper_pdf(name: str) -> bytes:
    """A sample scan of one paper; built once per name (fpdf2 parses the Vietnamese font for each
    PDF, ~0.3 s, and the demo files well over a hundred papers under a few dozen names)."""
    pdf = new_pdf(title=name)
    pdf.add_page()
    pdf.multi_cell(0, 8, f"{name}\n(Bản chụp mẫu — dữ liệu trình diễn)")
    return pdf_bytes(pdf)


def _papers(procedure):
    return [check_upload(SimpleUploadedFile(f"giay-to-{p.pk}.pdf", _paper_pdf(p.name)), label=p.name, paper_id=p.pk)
            for p in procedure.papers.all()]


def _data(index: int) -> dict:
    name, id_number, phone, address = APPLICANTS[index % len(APPLICANTS)]
    return {"applicant_name": name, "applicant_id_number": id_number, "applicant_phone": phone,
            "applicant_address": address}


class Clock:
    """Office instants counted back from today, so demo deadlines fall around the present."""

    def __init__(self, agency):
        self.cal = calendar_for(agency)
        self.today = timezone.localdate()

    def days_ago(self, days: int, hour: int = 9) -> dt.datetime:
        day = self.today
        while days > 0:
            day -= dt.timedelta(days=1)
            if self.cal.is_working_day(day):
                days -= 1
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _to_decision(dossier: Dossier, at: dt.datetime, officers: dict, step_hours: float = 2) -> dt.datetime:
    """Forward the dossier step by step until it reaches the step where the result is decided."""
    for _ in range(10):
        dossier = Dossier.objects.select_related("current_step", "procedure", "agency").get(pk=dossier.pk)
        if workflow._may_decide(dossier):
            return at
        at = at + dt.timedelta(hours=step_hours)
        workflow.forward(dossier=dossier, officer=officers[dossier.current_step.role], at=at)
    return at


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related("current_step", "procedure", "agency").get(pk=dossier.pk)


def load(out) -> None:
    agencies = list(Agency.objects.filter(code__in=DEMO_AGENCIES).order_by("code"))
    citizen = User.objects.filter(email="nguoidan@demo.egov.vn").first()
    if not agencies or not AgencyProcedure.objects.exists():
        out("  Bỏ qua hồ sơ mẫu: chưa có cơ quan hoặc thủ tục mẫu (cần nạp dữ liệu mẫu org và procedures trước).")
        return
    made = 0
    for n, agency in enumerate(agencies):
        officers = {role: _officer(agency, role) for role in (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER)}
        links = list(AgencyProcedure.objects.filter(agency=agency, is_active=True)
                     .select_related("procedure").order_by("procedure__code")[:6])
        if not links or not all(officers.values()):
            continue
        procedures = [link.procedure for link in links]
        clock = Clock(agency)

        counter = officers[Role.COUNTER_OFFICER]

        def receive(i, days_ago, hour=9, *, procedures=procedures, counter=counter, clock=clock, n=n):
            procedure = procedures[i % len(procedures)]
            return services.register_at_counter(officer=counter, procedure=procedure, data=_data(n + i),
                                                uploads=_papers(procedure), at=clock.days_ago(days_ago, hour),
                                                applicant=citizen if i == 0 else None)

        # Waiting at the counter: filed online by the demo citizen.
        online = [p for p in procedures if p.files_online]
        if citizen and online:
            services.submit_online(actor=citizen, procedure=online[0], agency=agency, data={
                "applicant_name": citizen.full_name, "applicant_id_number": citizen.identity_number,
                "applicant_phone": citizen.phone or "", "applicant_address": citizen.address},
                uploads=_papers(online[0]), at=clock.days_ago(0, 8))
            refused = services.submit_online(actor=citizen, procedure=online[-1], agency=agency, data=_data(n),
                                             uploads=_papers(online[-1]), at=clock.days_ago(3, 8))
            services.refuse(dossier=refused, officer=counter, at=clock.days_ago(3, 10),
                            reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.")
            made += 2
        # Just received, and at the specialist.
        receive(1, 0, 8)
        at_specialist = receive(2, 1)
        workflow.forward(dossier=at_specialist, officer=counter, at=clock.days_ago(1, 10))
        # Waiting for the citizen's supplement.
        waiting = receive(3, 2)
        workflow.forward(dossier=waiting, officer=counter, at=clock.days_ago(2, 10))
        workflow.request_supplement(dossier=_fresh(waiting), officer=officers[Role.SPECIALIST],
                                    missing=["Bản sao giấy khai sinh có chứng thực"], at=clock.days_ago(1, 9),
                                    note="Bản sao đã nộp bị mờ, không đọc được.")
        # Resolved early, then returned at the counter.
        early = receive(4, 6)
        at = _to_decision(early, clock.days_ago(6, 10), officers)
        workflow.approve(dossier=_fresh(early), officer=officers[Role.LEADER], at=at + dt.timedelta(hours=1))
        workflow.return_result(dossier=_fresh(early), actor=counter, method="counter",
                               at=at + dt.timedelta(hours=3))
        # Rejected on the due day.
        rejected = receive(5, 12)
        rejected = _fresh(rejected)
        due = rejected.due_at
        at = _to_decision(rejected, rejected.received_at, officers, step_hours=1)
        workflow.reject(dossier=_fresh(rejected), officer=officers[Role.LEADER], at=max(due - dt.timedelta(hours=1), at),
                        reason="Thửa đất đang có tranh chấp, chưa đủ điều kiện giải quyết.")
        # Resolved late.
        late = _fresh(receive(6, 25))
        at = _to_decision(late, late.received_at, officers, step_hours=3)
        workflow.approve(dossier=_fresh(late), officer=officers[Role.LEADER],
                         at=max(late.due_at + dt.timedelta(days=2), at))
        # Overdue, still in progress, with an apology letter and a new date.
        overdue = _fresh(receive(7, 40))
        workflow.forward(dossier=overdue, officer=counter, at=overdue.received_at + dt.timedelta(hours=1))
        overdue = _fresh(overdue)
        if overdue.is_overdue():
            workflow.issue_apology(dossier=overdue, officer=counter, reason="Chờ kết quả xác minh của cơ quan phối hợp.",
                                   new_due_at=clock.cal.add_working_time(timezone.now(), days=5))
        # Sent to another agency (liên thông).
        other = next((a for a in agencies if a.pk != agency.pk), None)
        if other is not None:
            moved = receive(8, 2)
            workflow.forward(dossier=moved, officer=counter, at=clock.days_ago(2, 10))
            workflow.transfer(dossier=_fresh(moved), officer=officers[Role.SPECIALIST], to_agency=other, days=3,
                              note="Đề nghị xác minh thông tin cư trú.", at=clock.days_ago(1, 14))
        # Withdrawn by the applicant.
        if citizen:
            mine = receive(0, 4)
            services.withdraw(dossier=mine, citizen=citizen, reason="Đã nộp nhầm thủ tục.", at=clock.days_ago(3, 15))
        made += 9
    first = Dossier.objects.exclude(code__isnull=True).order_by("pk").first()
    if first is not None:
        from egov.dossiers.sms import answer

        answer("0914000111", f"TRACUU {first.code}")
    out(f"  {made} hồ sơ mẫu ở mọi trạng thái tại {len(agencies)} cơ quan")
    load_history(out)


def load_history(out) -> None:
    """A year of generated history so that lists, statistics and dashboards look lifelike."""
    count = settings.DEMO_HISTORY
    if count <= 0:
        return
    start, today = default_period(12)

    def progress(done, total):
        out(f"  hồ sơ lịch sử: {done:,}/{total:,}".replace(",", "."))

    summary = generate_history(count=count, start=start, end=today - dt.timedelta(days=1), seed=0, progress=progress)
    out(f"  {summary['count']:,} hồ sơ lịch sử 12 tháng (sinh hàng loạt, không ghi nhật ký)".replace(",", "."))
