
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from egov.api.auth import AUTH
from egov.api.pagination import Page
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


ROUTERS = [("/", router)]
