"""Writes for the procedures catalogue: procedures with their papers and fees, internal processes
(quy trình nội bộ) and agencies adopting procedures. Every write is permission-checked, runs in one
transaction and leaves an audit entry. `actor=None` is the system itself (demo data, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from egov.core.audit import record
from egov.core.errors import ValidationError
from egov.org.models import Agency
from egov.org.permissions import ensure_can
from egov.org.roles import Role
from egov.procedures import eforms
from egov.procedures.models import (
    AgencyProcedure,
    Fee,
    Field,
    Procedure,
    Process,
    ProcessStep,
    RequiredPaper,
)

# Roles that handle a dossier step; administrators configure, they do not process dossiers.
PROCESS_ROLES = (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK)

PROCEDURE_FIELDS = ("name", "field", "levels", "online_level", "online_service", "resolution_time", "time_unit",
                    "applicants", "result", "legal_basis", "steps_text", "conditions", "is_active")
REQUIRED_FIELDS = {"name": "Tên thủ tục", "field": "Lĩnh vực", "resolution_time": "Thời hạn giải quyết",
                   "result": "Kết quả thực hiện"}
PAPER_FIELDS = ("order", "name", "originals", "copies", "mandatory")
FEE_FIELDS = ("kind", "name", "amount", "note")
STEP_FIELDS = ("name", "role", "department_name", "share")


@dataclass
class Step:
    """One step as given by a caller (form, Excel row, API, demo data)."""

    name: str
    role: str
    share: Decimal
    department_name: str = ""

    @classmethod
    def of(cls, value) -> Step:
        if isinstance(value, Step):
            return value
        return cls(name=str(value.get("name", "")).strip(), role=str(value.get("role", "")).strip(),
                   share=value.get("share"), department_name=str(value.get("department_name") or "").strip())


# ---- validation shared with the Excel import and the forms ---------------------------------

def as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_amount(value: Decimal, unit: str) -> str:
    """'1,5 ngày làm việc' — Vietnamese decimal comma, no trailing zeros."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} {Procedure.TimeUnit(unit).label}"


def share_problem(total: Decimal, unit: str, shares: list[Decimal]) -> str | None:
    """Why the steps' shares do not add up to the resolution time, or None when they do."""
    if not shares:
        return "Quy trình phải có ít nhất một bước."
    if any(share is None or share <= 0 for share in shares):
        return "Thời gian của mỗi bước phải là số dương."
    if any(share != share.quantize(Decimal("0.01")) for share in shares):
        return "Thời gian của mỗi bước có tối đa hai chữ số thập phân."
    added = sum(shares, Decimal(0))
    if added == total:
        return None
    gap = abs(total - added)
    if added < total:
        how = f"còn thiếu {format_amount(gap, unit)}"
    else:
        how = f"vượt {format_amount(gap, unit)}"
    return (f"Tổng thời gian các bước ({format_amount(added, unit)}) phải bằng thời hạn giải quyết "
            f"({format_amount(total, unit)}): {how}.")


def role_problem(role: str) -> str | None:
    if role in PROCESS_ROLES:
        return None
    allowed = ", ".join(Role(r).label for r in PROCESS_ROLES)
    label = Role(role).label if role in Role.values else role or "(trống)"
    return f"Vai trò '{label}' không xử lý hồ sơ; chọn một trong: {allowed}."


def steps_problems(procedure_time: Decimal, unit: str, steps: list[Step]) -> list[str]:
    problems = []
    for index, step in enumerate(steps, start=1):
        if not step.name:
            problems.append(f"Bước {index}: thiếu tên bước.")
        if (message := role_problem(step.role)):
            problems.append(f"Bước {index}: {message}")
    shares = [as_decimal(step.share) for step in steps]
    if (message := share_problem(procedure_time, unit, shares)):
        problems.append(message)
    return problems


def procedure_problems(data: dict) -> dict[str, str]:
    """Rules on one procedure's own fields (the database enforces them too, less politely)."""
    problems = {}
    for key, label in REQUIRED_FIELDS.items():
        if data.get(key) in (None, "", []):
            problems[key] = f"{label}: không được để trống."
    time = as_decimal(data.get("resolution_time"))
    if data.get("resolution_time") not in (None, "") and (time is None or time <= 0):
        problems["resolution_time"] = "Thời hạn giải quyết phải là số dương."
    if data.get("time_unit", Procedure.TimeUnit.DAYS) not in Procedure.TimeUnit.values:
        problems["time_unit"] = "Đơn vị thời hạn không hợp lệ."
    levels = data.get("levels") or []
    if not levels or any(level not in Procedure.Level.values for level in levels):
        problems["levels"] = "Cấp thực hiện phải là cấp tỉnh và/hoặc cấp xã."
    online_level = data.get("online_level", 2)
    if online_level not in (1, 2, 3, 4):
        problems["online_level"] = "Mức độ dịch vụ công phải từ 1 đến 4."
    service = data.get("online_service", Procedure.OnlineService.PARTIAL)
    if service not in Procedure.OnlineService.values:
        problems["online_service"] = "Loại dịch vụ công trực tuyến không hợp lệ."
    elif online_level == 4 and service != Procedure.OnlineService.FULL:
        problems["online_service"] = "Mức độ 4 phải là dịch vụ công trực tuyến toàn trình."
    return problems


def _raise(problems: dict[str, str] | list[str]) -> None:
    if problems:
        messages = list(problems.values()) if isinstance(problems, dict) else problems
        raise ValidationError(" ".join(messages), details={"problems": messages})


def get_or_create_field(code: str, name: str) -> Field:
    field, created = Field.objects.get_or_create(code=code, defaults={"name": name})
    if not created and name and field.name != name:
        field.name = name
        field.save(update_fields=["name"])
    return field


# ---- procedures -----------------------------------------------------------------------------

def _check_catalogue(actor) -> None:
    if actor is not None:
        ensure_can(actor, "procedures.catalogue")


def _paper_problems(papers: list[dict]) -> list[str]:
    problems = []
    for index, paper in enumerate(papers, start=1):
        if not str(paper.get("name", "")).strip():
            problems.append(f"Giấy tờ {index}: thiếu tên.")
        if int(paper.get("originals", 1) or 0) <= 0 and int(paper.get("copies", 0) or 0) <= 0:
            problems.append(f"Giấy tờ {index}: cần ít nhất một bản chính hoặc một bản sao.")
    return problems


def _fee_problems(fees: list[dict]) -> list[str]:
    problems = []
    for index, fee in enumerate(fees, start=1):
        if fee.get("kind") not in Fee.Kind.values:
            problems.append(f"Khoản thu {index}: loại phải là phí hoặc lệ phí.")
        amount = fee.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            problems.append(f"Khoản thu {index}: số tiền phải là số nguyên đồng, không âm.")
    return problems


def _sync(queryset, items: list[dict], fields: tuple[str, ...], make) -> bool:
    """Make the rows of `queryset` equal to `items`, matching by position so that rows other
    tables point at (a dossier's paper or current step) keep their id when only text changes."""
    changed = False
    existing = list(queryset)
    for row, item in zip(existing, items):
        updates = {name: item[name] for name in fields if name in item and getattr(row, name) != item[name]}
        if updates:
            for name, value in updates.items():
                setattr(row, name, value)
            row.save(update_fields=list(updates))
            changed = True
    for item in items[len(existing):]:
        make(**{name: item[name] for name in fields if name in item})
        changed = True
    for row in existing[len(items):]:
        row.delete()
        changed = True
    return changed


def _normalise_papers(papers) -> list[dict]:
    result = []
    for index, paper in enumerate(papers, start=1):
        result.append({"order": int(paper.get("order") or index), "name": str(paper["name"]).strip(),
                       "originals": int(paper.get("originals", 1) or 0), "copies": int(paper.get("copies", 0) or 0),
                       "mandatory": bool(paper.get("mandatory", True))})
    return sorted(result, key=lambda p: p["order"])


def _normalise_fees(fees) -> list[dict]:
    return [{"kind": fee["kind"], "name": str(fee["name"]).strip(), "amount": fee["amount"],
             "note": str(fee.get("note") or "").strip()} for fee in fees]


def _apply_fields(procedure: Procedure, data: dict) -> list[str]:
    changed = []
    for name in PROCEDURE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "resolution_time":
            value = as_decimal(value)
        if name == "field" and isinstance(value, Field):
            if procedure.field_id != value.pk:
                procedure.field = value
                changed.append(name)
            continue
        if getattr(procedure, name) != value:
            setattr(procedure, name, value)
            changed.append(name)
    return changed


def _write_procedure(procedure: Procedure, data: dict, papers, fees) -> list[str]:
    """Save fields, papers and fees (no checks here: callers validated); return what changed."""
    changed = _apply_fields(procedure, data)
    if changed or procedure.pk is None:
        procedure.save()
    if papers is not None and _sync(procedure.papers.order_by("order", "id"), _normalise_papers(papers),
                                    PAPER_FIELDS, lambda **kw: RequiredPaper.objects.create(procedure=procedure, **kw)):
        changed.append("papers")
    if fees is not None and _sync(procedure.fees.order_by("id"), _normalise_fees(fees), FEE_FIELDS,
                                  lambda **kw: Fee.objects.create(procedure=procedure, **kw)):
        changed.append("fees")
    return changed


def _validate(data: dict, papers, fees, steps) -> None:
    problems = list(procedure_problems(data).values())
    problems += _paper_problems(list(papers or []))
    problems += _fee_problems(list(fees or []))
    if steps is not None and not problems:
        problems += steps_problems(as_decimal(data["resolution_time"]), data.get("time_unit", "days"),
                                   [Step.of(s) for s in steps])
    _raise(problems)


def create_procedure(*, actor, code: str, data: dict, papers=(), fees=(), steps=None) -> Procedure:
    """Add a procedure to the catalogue with its papers, fees and default process."""
    _check_catalogue(actor)
    code = (code or "").strip()
    if not code:
        raise ValidationError("Mã thủ tục không được để trống.")
    _validate(data, papers, fees, steps)
    with transaction.atomic():
        if Procedure.objects.filter(code=code).exists():
            raise ValidationError(f"Mã thủ tục {code} đã có trong danh mục.")
        procedure = Procedure(code=code)
        _write_procedure(procedure, data, papers, fees)
        if steps is not None:
            _write_process(procedure, None, [Step.of(s) for s in steps])
        record(actor, "procedure.created", procedure, summary={"code": code, "name": procedure.name})
    return procedure


def update_procedure(*, actor, procedure: Procedure, data: dict, papers=None, fees=None, steps=None) -> Procedure:
    """Change a procedure; papers, fees and default steps are replaced when given.

    A new resolution time must still match every process of the procedure (the default one may
    be replaced in the same call), otherwise dossiers would get deadlines their steps cannot meet.
    """
    _check_catalogue(actor)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        merged = {name: getattr(procedure, name) for name in PROCEDURE_FIELDS}
        merged.update(data)
        _validate(merged, papers if papers is not None else [], fees if fees is not None else [], steps)
        changed = _write_procedure(procedure, data, papers, fees)
        if steps is not None and _write_process(procedure, None, [Step.of(s) for s in steps])[1]:
            changed.append("process")
        _check_processes_match(procedure)
        if changed:
            record(actor, "procedure.updated", procedure, summary={"code": procedure.code, "changed": changed})
    return procedure


def _check_processes_match(procedure: Procedure) -> None:
    problems = []
    for process in procedure.processes.select_related("agency").prefetch_related("steps"):
        message = share_problem(procedure.resolution_time, procedure.time_unit,
                                [step.share for step in process.steps.all()])
        if message:
            owner = process.agency.name if process.agency_id else "Quy trình mặc định"
            problems.append(f"{owner}: {message}")
    _raise(problems)


# ---- processes ------------------------------------------------------------------------------

def _write_process(procedure: Procedure, agency: Agency | None, steps: list[Step]) -> tuple[Process, bool]:
    process, created = Process.objects.get_or_create(procedure=procedure, agency=agency)
    items = [{"order": index, "name": step.name, "role": step.role, "department_name": step.department_name,
              "share": as_decimal(step.share).quantize(Decimal("0.01"))} for index, step in enumerate(steps, start=1)]
    changed = _sync(process.steps.order_by("order"), items, ("order",) + STEP_FIELDS,
                    lambda **kw: ProcessStep.objects.create(process=process, **kw))
    return process, created or changed


def set_process(*, actor, procedure: Procedure, agency: Agency | None, steps, name: str = "") -> Process:
    """Set the default process (agency None) or an agency's own process of a procedure.

    The steps' shares must add up exactly to the resolution time: the dossier's per-step due
    times are cut from its legal deadline, so a gap or an excess would mislead the officers.
    """
    if agency is None:
        _check_catalogue(actor)
    elif actor is not None:
        ensure_can(actor, "procedures.manage", agency)
    steps = [Step.of(s) for s in steps]
    _raise(steps_problems(procedure.resolution_time, procedure.time_unit, steps))
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if agency is not None and not AgencyProcedure.objects.filter(agency=agency, procedure=procedure).exists():
            raise ValidationError(f"{agency.name} chưa thực hiện thủ tục {procedure.code}; hãy áp dụng thủ tục trước.")
        process, changed = _write_process(procedure, agency, steps)
        if name and process.name != name:
            process.name = name
            process.save(update_fields=["name"])
            changed = True
        if changed:
            record(actor, "procedure.process_set", process, agency=agency,
                   summary={"procedure": procedure.code, "agency": agency.code if agency else None,
                            "steps": [[s.name, s.role, str(s.share)] for s in steps]})
    return process


def reset_process(*, actor, procedure: Procedure, agency: Agency) -> None:
    """Drop an agency's own process: its dossiers follow the default process again."""
    if actor is not None:
        ensure_can(actor, "procedures.manage", agency)
    with transaction.atomic():
        process = Process.objects.filter(procedure=procedure, agency=agency).first()
        if process is None:
            return
        record(actor, "procedure.process_reset", process, agency=agency, summary={"procedure": procedure.code})
        process.delete()


def adopt_procedure(*, actor, agency: Agency, procedure: Procedure, steps=None) -> AgencyProcedure:
    """An agency takes on a procedure (cơ quan thực hiện), optionally with its own process."""
    if actor is not None:
        ensure_can(actor, "procedures.manage", agency)
    if not procedure.is_active:
        raise ValidationError(f"Thủ tục {procedure.code} không còn áp dụng.")
    if steps is not None:
        steps = [Step.of(s) for s in steps]
        _raise(steps_problems(procedure.resolution_time, procedure.time_unit, steps))
    with transaction.atomic():
        link, created = AgencyProcedure.objects.get_or_create(agency=agency, procedure=procedure)
        if not created and not link.is_active:
            link.is_active = True
            link.save(update_fields=["is_active"])
            created = True
        if created:
            record(actor, "procedure.adopted", link, agency=agency, summary={"procedure": procedure.code})
        if steps is not None:
            set_process(actor=actor, procedure=procedure, agency=agency, steps=steps)
    return link


def withdraw_procedure(*, actor, agency: Agency, procedure: Procedure) -> None:
    """The agency stops handling the procedure; its dossiers and process stay for the record."""
    if actor is not None:
        ensure_can(actor, "procedures.manage", agency)
    with transaction.atomic():
        updated = AgencyProcedure.objects.filter(agency=agency, procedure=procedure, is_active=True).update(
            is_active=False)
        if updated:
            record(actor, "procedure.withdrawn", procedure, agency=agency, summary={"procedure": procedure.code})


# ---- e-forms (tờ khai điện tử) --------------------------------------------------------------

def set_form_definition(*, actor, procedure: Procedure, definition: dict) -> Procedure:
    """Replace the procedure's e-form definition (an empty dict removes the e-form)."""
    _check_catalogue(actor)
    problems = eforms.definition_problems(definition)
    if problems:
        raise ValidationError("Mẫu tờ khai chưa hợp lệ: " + problems[0], code="form_definition",
                              details={"problems": problems})
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.form_definition == (definition or {}):
            return procedure
        procedure.form_definition = definition or {}
        procedure.save(update_fields=["form_definition", "updated_at"])
        record(actor, "procedure.form_set", procedure,
               summary={"code": procedure.code, "title": (definition or {}).get("title", ""),
                        "fields": len(list(eforms.input_fields(definition or {})))})
    return procedure
