"""Who may do what, and where: the one place where permissions are decided.

Each app declares its rules in `<app>/permissions.py` as `RULES = {"perm.name": Rule(...)}`.
A rule names the staff roles that hold it and, optionally, the API-key scope that grants it to
an external system. Where an agency is given, an official acts in their own agency; an agency
administrator also in the agencies under theirs; a system administrator everywhere. HTML views,
the API and the CLI all call `ensure_can`, so a rule is enforced the same way for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from egov.core.actors import is_api_key
from egov.core.errors import PermissionDenied
from egov.core.registry import egov_modules
from egov.org.roles import Role


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: str | None = None
    # Agency administrators act on agencies below theirs for this permission.
    subtree: bool = False
    description: str = field(default="", compare=False)

    def __init__(self, *roles: str, scope: str | None = None, subtree: bool = False, description: str = ""):
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "subtree", subtree)
        object.__setattr__(self, "description", description)


ALL_STAFF = tuple(Role.values)

RULES: dict[str, Rule] = {
    "staff.home": Rule(*ALL_STAFF, description="Trang làm việc của cán bộ"),
    "org.manage_officials": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                                 description="Quản lý cán bộ"),
    "org.manage_agencies": Rule(Role.SYSTEM_ADMIN, description="Quản lý cơ quan"),
    "org.edit_agency": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                            description="Sửa thông tin cơ quan, phòng ban"),
    "calendar.manage": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                            description="Quản lý lịch làm việc"),
    "audit.view": Rule(Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                       description="Xem nhật ký thao tác"),
    "apikey.manage": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                          description="Quản lý khóa API"),
    "calendar.read": Rule(*ALL_STAFF, scope="calendar:read", description="Tra cứu lịch làm việc"),
    # Other systems only: officials find citizens through the dossiers they handle.
    "people.lookup": Rule(scope="people:read", description="Tra cứu công dân, doanh nghiệp theo số định danh"),
}


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    rules = dict(RULES)
    for module in egov_modules("permissions", exclude=("egov.org",)):
        rules.update(getattr(module, "RULES", {}))
    return rules


def rule_for(permission: str) -> Rule:
    try:
        return all_rules()[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None


def can(actor, permission: str, agency=None) -> bool:
    """Whether `actor` (a user or an API key) holds `permission`, in `agency` when given."""
    if actor is None:
        return False
    rule = rule_for(permission)
    if is_api_key(actor):
        if not rule.scope or not actor.has_scope(rule.scope):
            return False
        return agency is None or agency.is_within(actor.agency)
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    official = actor.official_or_none
    if official is None:
        return False
    held = actor.role_codes() & rule.roles
    if not held:
        return False
    if agency is None or Role.SYSTEM_ADMIN in held:
        return True
    if agency.pk == official.agency_id:
        return True
    return rule.subtree and Role.AGENCY_ADMIN in held and agency.is_within(official.agency)


def ensure_can(actor, permission: str, agency=None) -> None:
    if not can(actor, permission, agency):
        raise PermissionDenied()


def visible_agencies(actor):
    """The agencies whose objects `actor` may see at all (scoping for lists)."""
    from egov.org.models import Agency

    if is_api_key(actor):
        return actor.agency.descendants()
    official = actor.official_or_none if getattr(actor, "is_authenticated", False) else None
    if official is None:
        return Agency.objects.none()
    if Role.SYSTEM_ADMIN in actor.role_codes():
        return Agency.objects.all()
    if Role.AGENCY_ADMIN in actor.role_codes():
        return official.agency.descendants()
    return Agency.objects.filter(pk=official.agency_id)
