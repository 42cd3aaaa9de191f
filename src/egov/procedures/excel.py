"""The catalogue as an Excel workbook (openpyxl): export everything, import the same layout.

Four sheets, one row per record, the procedure code linking them. Import reads every row,
reports every problem with its sheet, row and column in Vietnamese, and writes nothing unless
the whole file is good (one transaction). Re-importing a file changes nothing: procedures are
matched by code and only differing values are written.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from egov.core import scanning
from egov.core.audit import record
from egov.core.errors import DomainError, ValidationError
from egov.org.models import Agency
from egov.org.permissions import ensure_can
from egov.org.roles import Role
from egov.procedures import services
from egov.procedures.models import AgencyProcedure, Fee, Procedure, Process

PROCEDURES = "Thủ tục"
PAPERS = "Thành phần hồ sơ"
FEES = "Phí, lệ phí"
STEPS = "Quy trình"

# (key, header) per sheet, in export order. Import finds columns by header, in any order.
COLUMNS = {
    PROCEDURES: [("code", "Mã thủ tục"), ("name", "Tên thủ tục"), ("field_code", "Mã lĩnh vực"),
                 ("field_name", "Lĩnh vực"), ("levels", "Cấp thực hiện"), ("online_level", "Mức độ"),
                 ("online_service", "Dịch vụ công trực tuyến"), ("resolution_time", "Thời hạn"),
                 ("time_unit", "Đơn vị thời hạn"), ("applicants", "Đối tượng thực hiện"), ("result", "Kết quả"),
                 ("legal_basis", "Căn cứ pháp lý"), ("steps_text", "Trình tự thực hiện"),
                 ("conditions", "Yêu cầu, điều kiện"), ("is_active", "Đang áp dụng"),
                 ("agencies", "Cơ quan thực hiện")],
    PAPERS: [("code", "Mã thủ tục"), ("order", "Thứ tự"), ("name", "Tên giấy tờ"), ("originals", "Bản chính"),
             ("copies", "Bản sao"), ("mandatory", "Bắt buộc")],
    FEES: [("code", "Mã thủ tục"), ("kind", "Loại"), ("name", "Tên khoản thu"), ("amount", "Số tiền (đồng)"),
           ("note", "Ghi chú")],
    STEPS: [("code", "Mã thủ tục"), ("agency", "Cơ quan"), ("order", "Thứ tự"), ("name", "Tên bước"),
            ("role", "Vai trò"), ("department_name", "Phòng ban"), ("share", "Thời gian")],
}
REQUIRED = {PROCEDURES: {"code", "name", "field_code", "field_name", "levels", "resolution_time", "result"},
            PAPERS: {"code", "name"}, FEES: {"code", "kind", "name", "amount"},
            STEPS: {"code", "name", "role", "share"}}
HEADER = {sheet: dict(columns) for sheet, columns in COLUMNS.items()}
YES, NO = "Có", "Không"
LEVEL_LABELS = dict(Procedure.Level.choices)
MAX_ROWS = 20000


def _choice(value: str, choices) -> str | None:
    """A code from its code or its Vietnamese label, case and diacritics as typed by people."""
    from egov.core.text import fold

    folded = fold(value)
    for code, label in choices:
        if folded in (fold(code), fold(label)):
            return code
    return None


# ---- export ---------------------------------------------------------------------------------

def _number(value: Decimal):
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def catalogue_rows() -> dict[str, list[list]]:
    """The whole catalogue as rows per sheet (what the workbook holds)."""
    rows = {sheet: [] for sheet in COLUMNS}
    procedures = (Procedure.objects.select_related("field").order_by("code")
                  .prefetch_related("papers", "fees"))
    links = defaultdict(list)
    for link in AgencyProcedure.objects.filter(is_active=True).select_related("agency").order_by("agency__code"):
        links[link.procedure_id].append(link.agency.code)
    processes = defaultdict(list)
    for process in (Process.objects.select_related("agency").prefetch_related("steps")
                    .order_by("agency__code")):
        processes[process.procedure_id].append(process)
    for p in procedures:
        rows[PROCEDURES].append([
            p.code, p.name, p.field.code, p.field.name, "; ".join(LEVEL_LABELS[level] for level in p.levels),
            p.online_level, p.get_online_service_display(), _number(p.resolution_time), p.get_time_unit_display(),
            p.applicants, p.result, p.legal_basis, p.steps_text, p.conditions, YES if p.is_active else NO,
            ", ".join(links[p.pk])])
        for paper in sorted(p.papers.all(), key=lambda x: (x.order, x.id)):
            rows[PAPERS].append([p.code, paper.order, paper.name, paper.originals, paper.copies,
                                 YES if paper.mandatory else NO])
        for fee in sorted(p.fees.all(), key=lambda x: x.id):
            rows[FEES].append([p.code, fee.get_kind_display(), fee.name, fee.amount, fee.note])
        for process in sorted(processes[p.pk], key=lambda x: (x.agency_id is not None, x.agency.code if x.agency_id else "")):
            for step in sorted(process.steps.all(), key=lambda s: s.order):
                rows[STEPS].append([p.code, process.agency.code if process.agency_id else "", step.order, step.name,
                                    step.get_role_display(), step.department_name, _number(step.share)])
    return rows


def export_catalogue() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="9B1C1C")
    for sheet_name, data in catalogue_rows().items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([header for _key, header in COLUMNS[sheet_name]])
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for row in data:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, (key, header) in enumerate(COLUMNS[sheet_name], start=1):
            wide = key in {"name", "result", "legal_basis", "steps_text", "conditions", "applicants"}
            sheet.column_dimensions[get_column_letter(index)].width = 60 if wide else max(12, len(header) + 4)
            if wide:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- import ---------------------------------------------------------------------------------

@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = f"Dòng {self.row}" if self.row else "Tệp"
        if self.column:
            where += f", cột '{self.column}'"
        return f"[{self.sheet}] {where}: {self.message}"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class CatalogueImportError(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (và {len(errors) - 5} lỗi khác)" if len(errors) > 5 else ""
        super().__init__(f"Tệp có {len(errors)} lỗi, chưa nhập dữ liệu nào: {shown}{more}.",
                         code="import_invalid", details={"errors": [str(e) for e in errors]})


class _Reader:
    """Turns cells into values, collecting errors instead of stopping at the first one."""

    def __init__(self):
        self.errors: list[RowError] = []

    def error(self, sheet, row, key, message):
        self.errors.append(RowError(sheet, row, HEADER[sheet].get(key, key) if key else None, message))

    def text(self, sheet, row, values, key, *, max_length=None):
        value = values.get(key)
        text = "" if value is None else (str(_number(Decimal(str(value)))) if isinstance(value, float) else str(value))
        text = text.strip()
        if not text and key in REQUIRED[sheet]:
            self.error(sheet, row, key, "không được để trống")
        elif max_length and len(text) > max_length:
            self.error(sheet, row, key, f"dài quá {max_length} ký tự")
        return text

    def positive(self, sheet, row, values, key, *, allow_zero=False, integer=False, default=None):
        value = values.get(key)
        if value is None or str(value).strip() == "":
            if default is not None:
                return default
            self.error(sheet, row, key, "không được để trống")
            return None
        if isinstance(value, str) and integer and re.fullmatch(r"\d{1,3}([.\s]\d{3})+", value.strip()):
            value = re.sub(r"[.\s]", "", value)  # 1.200.000 written the Vietnamese way
        number = services.as_decimal(value) if not isinstance(value, bool) else None
        if number is None or number < 0 or (number == 0 and not allow_zero):
            self.error(sheet, row, key, "phải là số không âm" if allow_zero else "phải là số dương")
            return None
        if integer:
            if number != number.to_integral_value():
                self.error(sheet, row, key, "phải là số nguyên")
                return None
            return int(number)
        if number != number.quantize(Decimal("0.01")):
            self.error(sheet, row, key, "có tối đa hai chữ số thập phân")
            return None
        return number

    def boolean(self, sheet, row, values, key, default=True):
        value = values.get(key)
        if value is None or str(value).strip() == "":
            return default
        if isinstance(value, bool):
            return value
        word = _choice(str(value), [("1", YES), ("0", NO), ("1", "x"), ("1", "true"), ("0", "false")])
        if word is None:
            self.error(sheet, row, key, f"phải là '{YES}' hoặc '{NO}'")
            return default
        return word == "1"

    def choice(self, sheet, row, values, key, choices, default=None):
        value = str(values.get(key) or "").strip()
        if not value:
            if default is None:
                self.error(sheet, row, key, "không được để trống")
            return default
        code = _choice(value, choices)
        if code is None:
            self.error(sheet, row, key, "phải là một trong: " + ", ".join(label for _c, label in choices))
        return code


def _rows(workbook, sheet_name, reader):
    """(row number, {key: value}) for each non-empty row of a sheet."""
    if sheet_name not in workbook.sheetnames:
        reader.errors.append(RowError(sheet_name, None, None, "thiếu trang tính này"))
        return
    sheet = workbook[sheet_name]
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows, None) or ()
    by_header = {str(h).strip().lower(): i for i, h in enumerate(headers) if h is not None}
    index = {}
    for key, header in COLUMNS[sheet_name]:
        if header.lower() in by_header:
            index[key] = by_header[header.lower()]
        elif key in REQUIRED[sheet_name]:
            reader.errors.append(RowError(sheet_name, 1, header, "thiếu cột này ở dòng tiêu đề"))
    if any(e.sheet == sheet_name and e.row == 1 for e in reader.errors):
        return
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            reader.errors.append(RowError(sheet_name, number, None, f"tệp quá lớn (tối đa {MAX_ROWS} dòng)"))
            return
        values = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue
        yield number, values


@dataclass
class _Parsed:
    procedures: dict = field(default_factory=dict)   # code -> (row, data, field code/name, agencies)
    papers: dict = field(default_factory=lambda: defaultdict(list))
    fees: dict = field(default_factory=lambda: defaultdict(list))
    steps: dict = field(default_factory=lambda: defaultdict(list))   # (code, agency code) -> [(row, Step)]


def _parse(workbook) -> tuple[_Parsed, list[RowError]]:
    r, parsed = _Reader(), _Parsed()
    agencies = dict(Agency.objects.values_list("code", "pk"))
    role_choices = [(role, Role(role).label) for role in Role.values]
    for row, v in _rows(workbook, PROCEDURES, r):
        code = r.text(PROCEDURES, row, v, "code", max_length=30)
        if code in parsed.procedures:
            r.error(PROCEDURES, row, "code", f"mã {code} lặp lại (đã có ở dòng {parsed.procedures[code]['row']})")
            continue
        levels_text = str(v.get("levels") or "").strip()
        levels = []
        for part in filter(None, (p.strip() for p in re.split(r"[;,]", levels_text))):
            level = _choice(part, Procedure.Level.choices)
            if level is None:
                r.error(PROCEDURES, row, "levels", f"'{part}' không phải cấp tỉnh hoặc cấp xã")
            elif level not in levels:
                levels.append(level)
        if not levels_text:
            r.error(PROCEDURES, row, "levels", "không được để trống")
        online_level = r.positive(PROCEDURES, row, v, "online_level", integer=True, default=2)
        if online_level is not None and not 1 <= online_level <= 4:
            r.error(PROCEDURES, row, "online_level", "phải từ 1 đến 4")
        data = {
            "name": r.text(PROCEDURES, row, v, "name", max_length=500),
            "levels": levels, "online_level": online_level,
            "online_service": r.choice(PROCEDURES, row, v, "online_service", Procedure.OnlineService.choices,
                                       default=Procedure.OnlineService.PARTIAL),
            "resolution_time": r.positive(PROCEDURES, row, v, "resolution_time"),
            "time_unit": r.choice(PROCEDURES, row, v, "time_unit", Procedure.TimeUnit.choices,
                                  default=Procedure.TimeUnit.DAYS),
            "applicants": r.text(PROCEDURES, row, v, "applicants", max_length=255) or "Công dân Việt Nam, tổ chức",
            "result": r.text(PROCEDURES, row, v, "result", max_length=500),
            "legal_basis": r.text(PROCEDURES, row, v, "legal_basis"),
            "steps_text": r.text(PROCEDURES, row, v, "steps_text"),
            "conditions": r.text(PROCEDURES, row, v, "conditions"),
            "is_active": r.boolean(PROCEDURES, row, v, "is_active"),
        }
        if (online_level == 4 and data["online_service"] not in (None, Procedure.OnlineService.FULL)):
            r.error(PROCEDURES, row, "online_service", "mức độ 4 phải là dịch vụ công trực tuyến toàn trình")
        field_code = r.text(PROCEDURES, row, v, "field_code", max_length=40)
        field_name = r.text(PROCEDURES, row, v, "field_name", max_length=200)
        adopters = []
        for agency_code in filter(None, (p.strip() for p in re.split(r"[;,\s]+", str(v.get("agencies") or "")))):
            if agency_code not in agencies:
                r.error(PROCEDURES, row, "agencies", f"không có cơ quan mã {agency_code}")
            else:
                adopters.append(agency_code)
        if code:
            parsed.procedures[code] = {"row": row, "data": data, "field": (field_code, field_name),
                                       "agencies": adopters}

    def known(sheet, row, values):
        code = r.text(sheet, row, values, "code")
        if code and code not in parsed.procedures:
            r.error(sheet, row, "code", f"mã thủ tục {code} không có trong trang '{PROCEDURES}'")
            return None
        return code or None

    for row, v in _rows(workbook, PAPERS, r):
        code = known(PAPERS, row, v)
        paper = {"order": r.positive(PAPERS, row, v, "order", integer=True, default=len(parsed.papers[code]) + 1),
                 "name": r.text(PAPERS, row, v, "name", max_length=500),
                 "originals": r.positive(PAPERS, row, v, "originals", integer=True, allow_zero=True, default=1),
                 "copies": r.positive(PAPERS, row, v, "copies", integer=True, allow_zero=True, default=0),
                 "mandatory": r.boolean(PAPERS, row, v, "mandatory")}
        if paper["originals"] == 0 and paper["copies"] == 0:
            r.error(PAPERS, row, "originals", "cần ít nhất một bản chính hoặc một bản sao")
        if code:
            parsed.papers[code].append(paper)
    for row, v in _rows(workbook, FEES, r):
        code = known(FEES, row, v)
        fee = {"kind": r.choice(FEES, row, v, "kind", Fee.Kind.choices),
               "name": r.text(FEES, row, v, "name", max_length=255),
               "amount": r.positive(FEES, row, v, "amount", integer=True, allow_zero=True),
               "note": r.text(FEES, row, v, "note", max_length=255)}
        if code:
            parsed.fees[code].append(fee)
    for row, v in _rows(workbook, STEPS, r):
        code = known(STEPS, row, v)
        agency_code = r.text(STEPS, row, v, "agency")
        if agency_code and agency_code not in agencies:
            r.error(STEPS, row, "agency", f"không có cơ quan mã {agency_code}")
        role = r.choice(STEPS, row, v, "role", role_choices)
        if role and (message := services.role_problem(role)):
            r.error(STEPS, row, "role", message[0].lower() + message[1:].rstrip("."))
        order = r.positive(STEPS, row, v, "order", integer=True, default=-1)
        step = services.Step(name=r.text(STEPS, row, v, "name", max_length=255), role=role or "",
                             share=r.positive(STEPS, row, v, "share"),
                             department_name=r.text(STEPS, row, v, "department_name", max_length=255))
        if code:
            parsed.steps[(code, agency_code)].append((row, order, step))
    for (code, agency_code), steps in parsed.steps.items():
        procedure = parsed.procedures[code]
        if agency_code and agency_code not in procedure["agencies"]:
            r.error(STEPS, steps[0][0], "agency", f"cơ quan {agency_code} không có trong cột "
                                                   f"'{HEADER[PROCEDURES]['agencies']}' của thủ tục {code}")
        steps.sort(key=lambda item: (item[1] if item[1] and item[1] > 0 else MAX_ROWS + item[0], item[0]))
        total, unit = procedure["data"]["resolution_time"], procedure["data"]["time_unit"]
        shares = [step.share for _row, _order, step in steps]
        if total is not None and unit and None not in shares:
            message = services.share_problem(total, unit, shares)
            if message:
                r.error(STEPS, steps[0][0], "share", f"quy trình của thủ tục {code}"
                        f"{' tại cơ quan ' + agency_code if agency_code else ''}: "
                        + message[0].lower() + message[1:].rstrip("."))
    return parsed, r.errors


def import_catalogue(*, actor, file) -> ImportResult:
    """Create or update every procedure in the workbook; all or nothing."""
    if actor is not None:
        ensure_can(actor, "procedures.catalogue")
    data = file.read()
    try:
        scanning.ensure_clean(data, name="danh mục thủ tục")
    except DomainError as exc:
        raise CatalogueImportError([RowError("Tệp", None, None, exc.message)]) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or non-Excel file
        raise CatalogueImportError([RowError("Tệp", None, None, "không đọc được tệp Excel (.xlsx)")]) from exc
    try:
        parsed, errors = _parse(workbook)
    finally:
        workbook.close()
    if errors:
        raise CatalogueImportError(errors)
    result, errors = ImportResult(), []
    agencies = {a.code: a for a in Agency.objects.all()}
    with transaction.atomic():
        for code, item in parsed.procedures.items():
            _import_one(actor, code, item, parsed, agencies, result, errors)
        if errors:
            raise CatalogueImportError(errors)   # rolls back what the good rows wrote
        record(actor, "procedures.imported", None, object_type="procedures.procedure",
               summary={"created": len(result.created), "updated": len(result.updated),
                        "unchanged": len(result.unchanged)})
    return result


def _import_one(actor, code, item, parsed, agencies, result, errors) -> None:
    data = dict(item["data"])
    data["field"] = services.get_or_create_field(*item["field"])
    procedure = Procedure.objects.select_for_update().filter(code=code).first()
    created = procedure is None
    if created:
        procedure = Procedure(code=code)
    changed = services._write_procedure(procedure, data, parsed.papers.get(code, []), parsed.fees.get(code, []))
    try:
        for (step_code, agency_code), steps in parsed.steps.items():
            if step_code != code:
                continue
            agency = agencies.get(agency_code) if agency_code else None
            if agency is not None:
                _adopt(actor, procedure, agency, changed)
            if services._write_process(procedure, agency, [step for _row, _order, step in steps])[1]:
                changed.append(f"process:{agency_code or 'default'}")
        for agency_code in item["agencies"]:
            _adopt(actor, procedure, agencies[agency_code], changed)
    except DomainError as exc:  # e.g. an agency taking on a procedure no longer in force
        errors.append(RowError(PROCEDURES, item["row"], HEADER[PROCEDURES]["agencies"], exc.message))
        return
    try:
        services._check_processes_match(procedure)
    except ValidationError as exc:
        errors.append(RowError(PROCEDURES, item["row"], HEADER[PROCEDURES]["resolution_time"],
                               "thời hạn mới không khớp quy trình đang có: " + exc.message))
        return
    if created:
        result.created.append(code)
        record(actor, "procedure.created", procedure, summary={"code": code, "via": "excel"})
    elif changed:
        result.updated.append(code)
        record(actor, "procedure.updated", procedure, summary={"code": code, "changed": changed, "via": "excel"})
    else:
        result.unchanged.append(code)


def _adopt(actor, procedure, agency, changed) -> None:
    """The agency takes on the procedure through the service, so the adoption is checked and
    audited as one made on the procedure's page."""
    if AgencyProcedure.objects.filter(agency=agency, procedure=procedure, is_active=True).exists():
        return
    services.adopt_procedure(actor=actor, agency=agency, procedure=procedure)
    changed.append(f"agency:{agency.code}")
