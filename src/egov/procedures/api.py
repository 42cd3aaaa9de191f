"""Public API of the procedures catalogue (no sign-in: the catalogue is public information)."""

from django.urls import NoReverseMatch, reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from egov.api.pagination import Page
from egov.core.errors import NotFound
from egov.org.models import Agency
from egov.procedures import selectors
from egov.procedures.models import Field as ProcedureField
from egov.procedures.models import Procedure

router = Router(tags=["Thủ tục hành chính"])


class FieldOut(Schema):
    code: str
    name: str


class FieldCountOut(FieldOut):
    procedures: int = Field(alias="procedure_count")


class ProcedureOut(Schema):
    code: str
    name: str
    field: FieldOut
    levels: list[str]
    online_level: int
    online_service: str
    files_online: bool
    resolution_time: float
    time_unit: str
    resolution_label: str
    url: str

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class PaperOut(Schema):
    order: int
    name: str
    originals: int
    copies: int
    mandatory: bool
    form_template: str | None

    @staticmethod
    def resolve_form_template(obj):
        # a path on this site that streams the stored form, never the storage's own address
        if not obj.form_template:
            return None
        return reverse("procedure-form-template", args=[obj.procedure.code, obj.pk])


class FeeOut(Schema):
    kind: str
    name: str
    amount: int
    note: str


class ProcessStepOut(Schema):
    order: int
    name: str
    role: str
    role_label: str
    department_name: str
    share: float

    @staticmethod
    def resolve_role_label(obj):
        return obj.get_role_display()


class ProcedureAgencyOut(Schema):
    code: str
    name: str
    own_process: bool


class ProcessOut(Schema):
    agency: str | None
    steps: list[ProcessStepOut]


class ProcedureDetailOut(ProcedureOut):
    applicants: str
    result: str
    legal_basis: str
    conditions: str
    steps_text: str
    papers: list[PaperOut]
    fees: list[FeeOut]
    process: ProcessOut | None
    agencies: list[ProcedureAgencyOut]
    file_online_url: str | None


class ProcedureFilter(Schema):
    q: str = ""
    field: str | None = None
    agency: str | None = None
    level: Procedure.Level | None = None
    online: str | None = None


def file_online_url(procedure: Procedure) -> str | None:
    """Where a citizen files this procedure online (the dossiers app's page), if it may be."""
    if not procedure.files_online:
        return None
    try:
        return reverse("dossier-file", args=[procedure.code])
    except NoReverseMatch:
        return f"/ho-so/nop/{procedure.code}/"


@router.get("", response=list[ProcedureOut], auth=None, summary="Tra cứu thủ tục hành chính",
            description="Tìm theo tên hoặc mã (có hoặc không dấu), lọc theo lĩnh vực (mã), cơ quan (mã định danh), "
                        "cấp (province, commune) và dịch vụ trực tuyến (1/0 hoặc full, partial, none).")
@paginate(Page)
def list_procedures(request, filters: Query[ProcedureFilter]):
    return selectors.search_procedures(filters.q, field=filters.field, agency=filters.agency,
                                       level=filters.level, online=filters.online)


@router.get("/fields", response=list[FieldCountOut], auth=None, summary="Danh sách lĩnh vực")
def list_fields(request):
    from django.db.models import Count, Q

    return (ProcedureField.objects.annotate(procedure_count=Count("procedures", filter=Q(procedures__is_active=True)))
            .order_by("name"))


@router.get("/{code}", response=ProcedureDetailOut, auth=None, summary="Chi tiết thủ tục hành chính",
            description="Thành phần hồ sơ, phí, lệ phí, quy trình nội bộ và cơ quan thực hiện. "
                        "Tham số `agency` (mã định danh) trả về quy trình của cơ quan đó.")
def get_procedure(request, code: str, agency: str | None = None):
    procedure = selectors.procedure_by_code(code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
    target = None
    if agency:
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise NotFound(f"Không tìm thấy cơ quan có mã định danh {agency}.")
    process = selectors.process_for(procedure, target)
    agencies = selectors.agencies_for(procedure)
    procedure.process = ({"agency": process.agency.code if process.agency_id else None,
                          "steps": list(process.steps.all())} if process else None)
    procedure.agencies = [{"code": a.code, "name": a.name, "own_process": a.has_own_process} for a in agencies]
    procedure.file_online_url = file_online_url(procedure)
    return procedure


ROUTERS = [("/procedures", router)]
