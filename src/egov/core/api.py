
import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from egov.core.calendar import MAX_WORKING_DAYS, calendar_for
from egov.core.errors import NotFound
from egov.core.limits import Date

router = Router(tags=["Lịch làm việc"])


class DueDateIn(Schema):
    start: Date = Field(description="Ngày bắt đầu (YYYY-MM-DD); ngày này không được tính.")
    working_days: int = Field(ge=0, le=MAX_WORKING_DAYS, description="Số ngày làm việc.")
    agency: str | None = Field(None, description="Mã định danh cơ quan (lịch riêng của cơ quan).")


class DueDateOut(Schema):
    start: dt.date
    working_days: int
    due_date: dt.date


@router.get("/due-date", response=DueDateOut, auth=None,
            summary="Ngày hẹn sau N ngày làm việc",
            description="Ngày làm việc thứ N sau ngày bắt đầu, bỏ qua cuối tuần, ngày lễ, Tết âm lịch, "
                        "tính ngày làm bù và ngày nghỉ do cơ quan công bố.")
def due_date(request, params: Query[DueDateIn]):
    agency = None
    if params.agency:
        from egov.org.models import Agency

        agency = Agency.objects.filter(code=params.agency).first()
        if agency is None:
            raise NotFound("Không tìm thấy cơ quan có mã định danh này.")
    due = calendar_for(agency).add_working_days(params.start, params.working_days)
    return {"start": params.start, "working_days": params.working_days, "due_date": due}


ROUTERS = [("/calendar", router)]
