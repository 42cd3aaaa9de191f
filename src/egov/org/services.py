"""Writes for the organisation: agencies, officials and citizen accounts."""

from __future__ import annotations

from django.db import transaction

from egov.core.audit import record
from egov.core.errors import ValidationError
from egov.org.models import Agency, Department, Official, RoleAssignment, User
from egov.org.permissions import ensure_can
from egov.org.roles import Role


def register_citizen(*, kind: str, full_name: str, password: str, email: str = "", phone: str | None = None,
                     identity_number: str = "", address: str = "", organization_name: str = "",
                     active: bool = True) -> User:
    """Create a citizen or business account (đăng ký tài khoản); an inactive one awaits its link."""
    if kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        raise ValidationError("Loại tài khoản không hợp lệ.")
    username = email or phone
    if not username:
        raise ValidationError("Cần ít nhất thư điện tử hoặc số điện thoại.")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("Tài khoản này đã tồn tại.")
        user = User(username=username, kind=kind, full_name=full_name, email=email, phone=phone or None,
                    identity_number=identity_number, address=address, organization_name=organization_name,
                    is_active=active)
        user.set_password(password)
        user.save()
        record(user, "account.registered", user, summary={"kind": kind})
    return user


def create_official(*, actor, agency: Agency, username: str, full_name: str, password: str,
                    roles: list[str], position: str = "", department: Department | None = None,
                    email: str = "", phone: str | None = None) -> Official:
    """Create an official's account in `agency` with its roles (thêm cán bộ)."""
    if actor is not None:
        ensure_can(actor, "org.manage_officials", agency)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(f"Vai trò không hợp lệ: {', '.join(sorted(unknown))}.")
    if Role.SYSTEM_ADMIN in roles and actor is not None and Role.SYSTEM_ADMIN not in actor.role_codes():
        raise ValidationError("Chỉ quản trị hệ thống mới cấp được vai trò quản trị hệ thống.")
    if department is not None and department.agency_id != agency.pk:
        raise ValidationError("Phòng ban không thuộc cơ quan đã chọn.")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("Tên đăng nhập đã được dùng.")
        user = User(username=username, kind=User.Kind.OFFICIAL, full_name=full_name, email=email,
                    phone=phone or None, is_staff=Role.SYSTEM_ADMIN in roles,
                    is_superuser=Role.SYSTEM_ADMIN in roles)
        user.set_password(password)
        user.save()
        official = Official.objects.create(user=user, agency=agency, department=department, position=position)
        RoleAssignment.objects.bulk_create([RoleAssignment(official=official, role=r) for r in sorted(set(roles))])
        record(actor, "official.created", official, agency=agency,
               summary={"username": username, "roles": sorted(set(roles))})
    return official
