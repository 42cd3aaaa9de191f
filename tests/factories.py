"""Factories: build the organisation with sensible defaults, through the real services."""

from __future__ import annotations

import itertools

from egov.api.services import create_api_key
from egov.org.models import Agency, Department, User
from egov.org.roles import Role
from egov.org.services import create_official, register_citizen

PASSWORD = "Kiem-thu-2026!"
_seq = itertools.count(1)


def make_agency(*, parent: Agency | None = None, name: str | None = None, short_name: str = "UBND",
                code: str | None = None) -> Agency:
    n = next(_seq)
    return Agency.objects.create(code=code or f"000.00.{n:02d}.T{n:02d}", name=name or f"Cơ quan thử {n}",
                                 short_name=short_name, parent=parent)


def make_department(agency: Agency, name: str | None = None, short_name: str = "VP") -> Department:
    return Department.objects.create(agency=agency, name=name or f"Phòng {next(_seq)}", short_name=short_name)


def make_official(*roles: str, agency: Agency | None = None, department: Department | None = None,
                  position: str = "Chuyên viên", full_name: str | None = None) -> User:
    agency = agency or make_agency()
    n = next(_seq)
    official = create_official(actor=None, agency=agency, username=f"canbo{n}", full_name=full_name or f"Cán bộ Số {n}",
                               password=PASSWORD, roles=list(roles or [Role.SPECIALIST]), position=position,
                               department=department)
    return official.user


def make_citizen(*, full_name: str = "Nguyễn Văn Dân", kind: str = User.Kind.CITIZEN) -> User:
    n = next(_seq)
    return register_citizen(kind=kind, full_name=full_name, password=PASSWORD, email=f"dan{n}@example.vn",
                            phone=f"09{n:08d}", identity_number=f"0461900{n:05d}", address="Huế")


def make_api_key(agency: Agency, *scopes: str, name: str = "Hệ thống thử") -> tuple[object, str]:
    return create_api_key(actor=None, name=name, agency=agency, scopes=list(scopes))


ALL_ROLES = list(Role.values)
