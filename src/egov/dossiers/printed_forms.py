"""The one-stop forms officers print (biểu mẫu một cửa, Decree 61/2018/NĐ-CP as amended by Decree
107/2021/NĐ-CP; the forms are those of Circular 01/2018/TT-VPCP): the processing control sheet
(phiếu kiểm soát quá trình giải quyết hồ sơ), the request to supplement or complete a dossier
(phiếu yêu cầu bổ sung, hoàn thiện hồ sơ) and the refusal (phiếu từ chối tiếp nhận, giải quyết
hồ sơ). Each is filled from the dossier's own data, nothing typed twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from egov.core.pdf import FONT_FAMILY, new_pdf, pdf_bytes
from egov.dossiers import planning
from egov.dossiers.models import Dossier, DossierStep
from egov.dossiers.pdfs import _line, _when
from egov.org.roles import Role

# The form numbers of the appendix to Circular 01/2018/TT-VPCP (one place, should they be renumbered).
FORM_NUMBERS = {"supplement": "02", "refusal": "03", "control": "05"}
LEGAL_BASIS = "Thông tư số 01/2018/TT-VPCP"
OUTCOME_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


@dataclass(frozen=True)
class Applicant:
    """Who the form is addressed to and what they asked for: a dossier's snapshot, or the data
    typed at the counter for a walk-in whose dossier was not received."""

    agency: object
    procedure: object
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    code: str = ""

    @classmethod
    def of(cls, dossier: Dossier) -> Applicant:
        return cls(agency=dossier.agency, procedure=dossier.procedure, name=dossier.applicant_name,
                   id_number=dossier.applicant_id_number, address=dossier.applicant_address,
                   phone=dossier.applicant_phone, email=dossier.applicant_email, code=dossier.code or "")


@dataclass(frozen=True)
class SupplementSlip:
    """What a supplement form says: the papers to add or complete, why, by whom, when."""

    applicant: Applicant
    missing: list[str] = field(default_factory=list)
    note: str = ""
    officer_name: str = ""
    at: dt.datetime | None = None


def _day_line(agency, at) -> str:
    local = timezone.localtime(at or timezone.now())
    place = agency.unit.name if getattr(agency, "unit_id", None) else ""
    return f"{place + ', ' if place else ''}ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _header(pdf, agency, kind: str, title: str, at=None) -> None:
    """The heading of every one-stop form: form number, agency and counter on the left, the
    national motto and the date on the right, the title in capitals."""
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.cell(0, 5, f"Mẫu số {FORM_NUMBERS[kind]} ({LEGAL_BASIS})", align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.multi_cell(width * 0.45, 5, agency.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 9)
    pdf.multi_cell(width * 0.45, 5, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.45, top)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.multi_cell(width * 0.55, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C",
                   new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(width * 0.55, 6, _day_line(agency, at), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(width, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, "", 12)


def _applicant_lines(pdf, applicant: Applicant) -> None:
    if applicant.code:
        _line(pdf, "Mã hồ sơ", applicant.code)
    _line(pdf, "Hồ sơ của", applicant.name)
    if applicant.id_number:
        _line(pdf, "Số định danh cá nhân / mã số thuế", applicant.id_number)
    _line(pdf, "Địa chỉ", applicant.address)
    _line(pdf, "Số điện thoại", applicant.phone)
    _line(pdf, "Thư điện tử", applicant.email)
    _line(pdf, "Nội dung yêu cầu giải quyết", f"{applicant.procedure.name} (mã thủ tục {applicant.procedure.code})")


def _signature(pdf, role: str, name: str) -> None:
    pdf.ln(6)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_x(pdf.l_margin + width * 0.5)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(width * 0.5, 6, role, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.multi_cell(width * 0.5, 5, "(Ký và ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(16)
    pdf.set_x(pdf.l_margin + width * 0.5)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(width * 0.5, 6, name, align="C", new_x="LMARGIN", new_y="NEXT")


def _contact(agency) -> str:
    parts = [agency.name]
    if agency.address:
        parts.append(f"địa chỉ {agency.address}")
    if agency.phone:
        parts.append(f"số điện thoại {agency.phone}")
    return ", ".join(parts)


# -- Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ ---------------------------------------------------
def supplement_pdf(slip: SupplementSlip) -> bytes:
    applicant = slip.applicant
    pdf = new_pdf(title=f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {applicant.code or applicant.name}")
    _header(pdf, applicant.agency, "supplement", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", slip.at)
    _applicant_lines(pdf, applicant)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 7, "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 12)
    for index, item in enumerate(slip.missing, start=1):
        pdf.multi_cell(0, 7, f"{index}. {item}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _line(pdf, "Lý do", slip.note or "Hồ sơ chưa đầy đủ, chưa chính xác theo quy định.")
    _line(pdf, "Ngày yêu cầu", _when(slip.at))
    pdf.multi_cell(0, 7, "Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
                         f"{_contact(applicant.agency)} để được hướng dẫn.", new_x="LMARGIN", new_y="NEXT")
    _signature(pdf, "NGƯỜI HƯỚNG DẪN", slip.officer_name)
    return pdf_bytes(pdf)


def dossier_supplement_slip(supplement) -> SupplementSlip:
    """The slip of a supplement request recorded on a dossier (yêu cầu bổ sung khi giải quyết)."""
    officer = supplement.requested_by.display_name if supplement.requested_by_id else ""
    return SupplementSlip(applicant=Applicant.of(supplement.dossier), missing=list(supplement.missing),
                          note=supplement.note, officer_name=officer, at=supplement.requested_at)


# -- Phiếu từ chối tiếp nhận, giải quyết hồ sơ --------------------------------------------------
def refusal_pdf(dossier: Dossier) -> bytes:
    applicant = Applicant.of(dossier)
    pdf = new_pdf(title=f"Phiếu từ chối tiếp nhận, giải quyết hồ sơ {dossier.code or dossier.applicant_name}")
    _header(pdf, dossier.agency, "refusal", "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", dossier.received_at)
    pdf.multi_cell(0, 7, f"Bộ phận tiếp nhận và trả kết quả — {dossier.agency.name} tiếp nhận hồ sơ của:",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _applicant_lines(pdf, applicant)
    _line(pdf, "Hình thức nộp", dossier.get_channel_display())
    _line(pdf, "Ngày nộp", _when(dossier.submitted_at))
    pdf.multi_cell(0, 7, "Qua xem xét, cơ quan nhận thấy hồ sơ của ông/bà không đủ điều kiện tiếp nhận, giải "
                         "quyết theo quy định.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _line(pdf, "Lý do", dossier.refusal_reason)
    pdf.multi_cell(0, 7, "Xin thông báo để ông/bà được biết và thực hiện./.", new_x="LMARGIN", new_y="NEXT")
    officer = dossier.received_by.display_name if dossier.received_by_id else ""
    _signature(pdf, "NGƯỜI TIẾP NHẬN", officer)
    return pdf_bytes(pdf)


# -- Phiếu kiểm soát quá trình giải quyết hồ sơ -------------------------------------------------
def step_outcome(step: DossierStep, now: dt.datetime | None = None) -> str:
    """On time or late, the way the control sheet records each handover."""
    if step.finished_at is None:
        if step.due_at and planning.is_late(step.due_at, now or timezone.now()):
            return "Đang xử lý, quá hạn"
        return "Đang xử lý"
    if step.due_at is None:
        return "Hoàn thành"
    return OUTCOME_LABELS[planning.outcome_for(step.finished_at, step.due_at)]


def step_handler(step: DossierStep) -> str:
    if step.finished_by_id:
        return step.finished_by.display_name
    names = [user.display_name for user in step.assignees.all()]
    if names:
        return ", ".join(names)
    role = Role(step.role).label if step.role in Role.values else step.role
    return f"{role}{' — ' + step.department_name if step.department_name else ''}"


def _short(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else "—"


def control_pdf(dossier: Dossier, now: dt.datetime | None = None) -> bytes:
    steps = list(dossier.steps.select_related("agency", "finished_by").prefetch_related("assignees"))
    pdf = new_pdf(title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ {dossier.code}")
    _header(pdf, dossier.agency, "control", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", dossier.received_at)
    _line(pdf, "Mã hồ sơ", dossier.code)
    _line(pdf, "Người nộp", dossier.applicant_name)
    _line(pdf, "Thủ tục", f"{dossier.procedure.code} — {dossier.procedure.name}")
    _line(pdf, "Cơ quan, đơn vị giải quyết hồ sơ", dossier.agency.name)
    partners = list(dict.fromkeys(s.agency.name for s in steps if s.is_transfer))
    _line(pdf, "Cơ quan phối hợp giải quyết hồ sơ", "; ".join(partners))
    _line(pdf, "Tiếp nhận lúc", _when(dossier.received_at))
    _line(pdf, "Hẹn trả kết quả", _when(dossier.due_at))
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 9)
    with pdf.table(col_widths=(42, 33, 24, 34, 22, 20), line_height=4.5, text_align="LEFT",
                   first_row_as_headings=True) as table:
        table.row(["Bước xử lý, cơ quan", "Người xử lý", "Nhận hồ sơ", "Giao hồ sơ", "Hạn", "Kết quả"])
        for step in steps:
            where = step.agency.name + (f" — {step.department_name}" if step.department_name else "")
            handed = _short(step.finished_at)
            if step.action:
                handed += f"\n{step.get_action_display()}"
            if step.note:
                handed += f": {step.note[:160]}"
            table.row([f"{step.seq}. {step.name}\n{where}", step_handler(step), _short(step.started_at),
                       handed, _short(step.due_at), step_outcome(step, now)])
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "", 12)
    overall = (OUTCOME_LABELS.get(dossier.outcome, "") if dossier.outcome
               else dossier.get_status_display() + (", quá hạn" if dossier.is_overdue(now) else ""))
    _line(pdf, "Kết quả giải quyết", overall)
    record = getattr(dossier, "return_record", None) if dossier.returned_at else None
    if record is not None:
        by = record.returned_by.display_name if record.returned_by_id else ""
        _line(pdf, "Trả kết quả", f"{_when(record.returned_at)} — {record.get_method_display()}"
                                  + (f", {by}" if by else ""))
    return pdf_bytes(pdf)
