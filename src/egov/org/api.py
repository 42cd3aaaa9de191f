"""The organisation through the API: the agency directory, the caller, an agency's working calendar."""

import datetime as dt

from ninja import Query, Router, Schema
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


ROUTERS = [("/calendar", calendar), ("/", router)]
