"""The organisation through the API: the agency directory, the caller, an agency's working calendar."""

import datetime as dt
from typing import Annotated

from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from egov.api.auth import AUTH
from egov.api.pagination import Page
from egov.core.calendar import MAX_WORKING_DAYS, calendar_for
from egov.core.errors import NotFound
from egov.core.limits import Date
from egov.org import selectors

router = Router(tags=["Tổ chức"])


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class AgencyFilter(Schema):
    q: str = ""


class MeOut(Schema):
    kind: str
    name: str
    agency: str | None
    roles: list[str]
    scopes: list[str]


@router.get("/agencies", response=list[AgencyOut], auth=None, summary="Danh bạ cơ quan")
@paginate(Page)
def list_agencies(request, filters: Query[AgencyFilter]):
    return selectors.search_agencies(filters.q)


@router.get("/me", response=MeOut, auth=AUTH, summary="Người dùng hoặc hệ thống đang gọi API")
def me(request):
    actor = request.auth
    if actor.is_api_key:
        return {"kind": "api_key", "name": actor.name, "agency": actor.agency.code, "roles": [], "scopes": actor.scopes}
    official = actor.official_or_none
    return {"kind": actor.kind, "name": actor.display_name, "agency": official.agency.code if official else None,
            "roles": sorted(actor.role_codes()), "scopes": []}


# The working-day calendar (core.calendar) of an agency named by its code.
calendar = Router(tags=["Lịch làm việc"])


class DueDateIn(Schema):
    start: Date = Field(description="Ngày bắt đầu (YYYY-MM-DD); ngày này không được tính.")
    working_days: int = Field(ge=0, le=MAX_WORKING_DAYS, description="Số ngày làm việc.")
    agency: str | None = Field(None, description="Mã định danh cơ quan (lịch riêng của cơ quan).")


class DueDateOut(Schema):
    start: dt.date
    working_days: int
    due_date: dt.date


@calendar.get("/due-date", response=DueDateOut, auth=None,
            summary="Ngày hẹn sau N ngày làm việc",
            description="Ngày làm việc thứ N sau ngày bắt đầu, bỏ qua cuối tuần, ngày lễ, Tết âm lịch, "
                        "tính ngày làm bù và ngày nghỉ do cơ quan công bố.")
def due_date(request, params: Query[DueDateIn]):
    agency = None
    if params.agency:
        agency = selectors.agency_by_code(params.agency)
        if agency is None:
            raise NotFound("Không tìm thấy cơ quan có mã định danh này.")
    due = calendar_for(agency).add_working_days(params.start, params.working_days)
    return {"start": params.start, "working_days": params.working_days, "due_date": due}


# Citizen and business lookup by ID number for other systems (org.people: what is shown and why).
people = Router(tags=["Công dân, doanh nghiệp"])
ID_NUMBER = r"^[0-9A-Za-z-]{6,20}$"
IdNumber = Annotated[str, Field(pattern=ID_NUMBER, description="Số định danh cá nhân (12 số) hoặc mã số thuế")]
PEOPLE_DESCRIPTION = (
    "Tài khoản công dân, doanh nghiệp đăng ký với số định danh cá nhân (CCCD) hoặc mã số thuế này. "
    "Cần khóa API có phạm vi `people:read`; mỗi lần tra cứu được ghi nhật ký với tên hệ thống và số đã tra. "
    "Số điện thoại, thư điện tử được che bớt; không trả địa chỉ. 404 khi không có tài khoản nào.")


class PersonAccountOut(Schema):
    kind: str = Field(description="citizen (công dân) hoặc business (doanh nghiệp)")
    name: str = Field(description="Họ và tên người đăng ký")
    organization_name: str | None = Field(description="Tên doanh nghiệp (tài khoản doanh nghiệp)")
    phone_masked: str | None = Field(description="Số điện thoại, che giữa, ví dụ 091****678")
    email_masked: str | None = Field(description="Thư điện tử, che phần tên, ví dụ ng***@example.vn")
    is_active: bool = Field(description="Tài khoản đã kích hoạt và đang dùng được")
    registered_at: dt.datetime


class PersonOut(Schema):
    id_number: str
    accounts: list[PersonAccountOut]


def _person(id_number: str, accounts) -> dict:
    from egov.org.people import mask_email, mask_phone

    return {"id_number": id_number, "accounts": [{
        "kind": user.kind, "name": user.full_name, "organization_name": user.organization_name or None,
        "phone_masked": mask_phone(user.phone), "email_masked": mask_email(user.email),
        "is_active": user.is_active, "registered_at": user.date_joined} for user in accounts]}


def _look_up(request, id_number: str) -> dict:
    from egov.org.people import look_up

    accounts = look_up(actor=request.auth, id_number=id_number)
    if not accounts:
        raise NotFound("Không có tài khoản công dân, doanh nghiệp nào với số định danh này.")
    return _person(id_number, accounts)


class PeopleQuery(Schema):
    id_number: str = Field(pattern=ID_NUMBER, description="Số định danh cá nhân (12 số) hoặc mã số thuế")


@people.get("", response=PersonOut, auth=AUTH, summary="Tra cứu công dân, doanh nghiệp (tham số id_number)",
            description=PEOPLE_DESCRIPTION)
def person_by_query(request, params: Query[PeopleQuery]):
    return _look_up(request, params.id_number)


@people.get("/{id_number}", response=PersonOut, auth=AUTH, summary="Tra cứu công dân, doanh nghiệp theo số định danh",
            description=PEOPLE_DESCRIPTION)
def person_by_id_number(request, id_number: Path[IdNumber]):
    return _look_up(request, id_number)


ROUTERS = [("/calendar", calendar), ("/people", people), ("/", router)]
