"""Writes for the organisation: agencies, departments, officials, citizen accounts and the
working calendar's exceptions. The administration pages and the CLI call the same functions."""

from __future__ import annotations

import secrets

from django.db import transaction

from egov.core.audit import record
from egov.core.errors import PermissionDenied, ValidationError
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
                    email: str = "", phone: str | None = None, temporary_password: bool = False) -> Official:
    """Create an official's account in `agency` with its roles (thêm cán bộ). A
    `temporary_password` is to be replaced by the official at their first sign-in."""
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
                    is_superuser=Role.SYSTEM_ADMIN in roles, must_change_password=temporary_password)
        user.set_password(password)
        user.save()
        official = Official.objects.create(user=user, agency=agency, department=department, position=position)
        RoleAssignment.objects.bulk_create([RoleAssignment(official=official, role=r) for r in sorted(set(roles))])
        record(actor, "official.created", official, agency=agency,
               summary={"username": username, "roles": sorted(set(roles))})
    return official


# -- administration of officials (quản trị cán bộ) ------------------------------------------

ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})
# Letters and digits a person copies from the screen without confusing them (no 0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 14) -> str:
    """A one-time password (mật khẩu tạm thời) an administrator hands over; shown once, never stored."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def ensure_may_manage(actor, official: Official) -> None:
    """`actor` may act on `official`: inside their agency subtree, and a system administrator's
    account only by another system administrator (else an agency administrator could reset its
    password and sign in as it)."""
    ensure_can(actor, "org.manage_officials", official.agency)
    if Role.SYSTEM_ADMIN in official.role_codes() and Role.SYSTEM_ADMIN not in actor.role_codes():
        raise PermissionDenied("Chỉ quản trị hệ thống mới thao tác được trên tài khoản quản trị hệ thống.")


def _check_roles(actor, roles) -> list[str]:
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError("Chọn ít nhất một vai trò.")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(f"Vai trò không hợp lệ: {', '.join(sorted(unknown))}.")
    if Role.SYSTEM_ADMIN in roles and Role.SYSTEM_ADMIN not in actor.role_codes():
        raise PermissionDenied("Chỉ quản trị hệ thống mới cấp được vai trò quản trị hệ thống.")
    return roles


def _check_contact(user: User, *, email: str, phone: str | None) -> None:
    others = User.objects.exclude(pk=user.pk)
    if email and others.filter(email__iexact=email).exists():
        raise ValidationError("Thư điện tử này đã được dùng cho tài khoản khác.")
    if phone and others.filter(phone=phone).exists():
        raise ValidationError("Số điện thoại này đã được dùng cho tài khoản khác.")


def update_official(*, actor, official: Official, full_name: str, roles: list[str], agency: Agency,
                    department: Department | None = None, position: str = "", email: str = "",
                    phone: str | None = None) -> Official:
    """Change an official's details, roles, agency and department (phân công vai trò, phòng ban)."""
    ensure_may_manage(actor, official)
    if agency.pk != official.agency_id:
        ensure_can(actor, "org.manage_officials", agency)
    roles = _check_roles(actor, roles)
    if department is not None and department.agency_id != agency.pk:
        raise ValidationError("Phòng ban không thuộc cơ quan đã chọn.")
    before = set(official.role_codes())
    if official.user_id == actor.pk and (before & ADMIN_ROLES) - set(roles):
        raise ValidationError("Không thể tự bỏ vai trò quản trị của chính mình; nhờ quản trị viên khác.")
    user = official.user
    _check_contact(user, email=email, phone=phone)
    with transaction.atomic():
        changes = {}
        if agency.pk != official.agency_id:
            changes["agency"] = [official.agency.code, agency.code]
        if department != official.department:
            changes["department"] = [str(official.department or ""), str(department or "")]
        official.agency, official.department, official.position = agency, department, position
        official.save(update_fields=["agency", "department", "position"])
        user.full_name, user.email, user.phone = full_name, email, phone or None
        user.is_staff = user.is_superuser = Role.SYSTEM_ADMIN in roles
        user.save(update_fields=["full_name", "email", "phone", "is_staff", "is_superuser"])
        if set(roles) != before:
            RoleAssignment.objects.filter(official=official).exclude(role__in=roles).delete()
            RoleAssignment.objects.bulk_create([RoleAssignment(official=official, role=r)
                                                for r in roles if r not in before])
            changes["roles_added"] = sorted(set(roles) - before)
            changes["roles_removed"] = sorted(before - set(roles))
            user._role_codes = None
            if hasattr(official, "_prefetched_objects_cache"):
                official._prefetched_objects_cache.pop("role_assignments", None)
        record(actor, "official.updated", official, agency=agency, summary=changes)
    return official


def set_official_active(*, actor, official: Official, active: bool) -> Official:
    """Deactivate (khóa tài khoản) or reactivate an official's account. A deactivated account
    cannot sign in and its open sessions end (the auth backend refuses inactive users)."""
    ensure_may_manage(actor, official)
    if official.user_id == actor.pk:
        raise ValidationError("Không thể tự khóa tài khoản của chính mình.")
    user = official.user
    if user.is_active == active:
        return official
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(actor, "official.activated" if active else "official.deactivated", official,
               agency=official.agency)
    return official


def reset_official_password(*, actor, official: Official, by_email: bool = False) -> str | None:
    """Reset an official's password (đặt lại mật khẩu): a one-time password returned for the
    administrator to hand over, or (`by_email`) the reset link of the forgotten-password flow
    sent to the official's address. Setting a password ends the official's open sessions."""
    from egov.core.tasks import queue
    from egov.org import tasks

    ensure_may_manage(actor, official)
    user = official.user
    if not user.is_active:
        raise ValidationError("Tài khoản đang bị khóa; mở khóa trước khi đặt lại mật khẩu.")
    if by_email:
        if not user.email:
            raise ValidationError("Cán bộ chưa có thư điện tử; hãy dùng mật khẩu tạm thời.")
        with transaction.atomic():
            record(actor, "official.password_reset", official, agency=official.agency,
                   summary={"method": "email"})
            queue(tasks.send_password_reset, email=user.email)
        return None
    from egov.org.lockout import account_key
    from egov.org.models import LoginFailure, LoginLock

    password = generate_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        # The official asked in person, often after locking themselves out: the new password
        # works at once. Guesses at the old one are moot now that it is gone.
        key = account_key(user, "")
        unlocked, _ = LoginLock.objects.filter(account=key).delete()
        LoginFailure.objects.filter(account=key).delete()
        summary = {"method": "temporary"}
        if unlocked:
            summary["unlocked"] = True
        record(actor, "official.password_reset", official, agency=official.agency, summary=summary)
    return password


# -- agencies and departments ------------------------------------------------------------

def update_agency(*, actor, agency: Agency, name: str, short_name: str, address: str = "",
                  phone: str = "", email: str = "") -> Agency:
    """Edit an agency's name and contact details (sửa thông tin cơ quan). Its identifier code and
    place in the tree stay: other systems address documents by the code."""
    ensure_can(actor, "org.edit_agency", agency)
    with transaction.atomic():
        before = {"name": agency.name, "short_name": agency.short_name}
        agency.name, agency.short_name = name, short_name
        agency.address, agency.phone, agency.email = address, phone, email
        agency.save()
        record(actor, "agency.updated", agency, agency=agency,
               summary={k: [v, getattr(agency, k)] for k, v in before.items() if v != getattr(agency, k)})
    return agency


def save_department(*, actor, agency: Agency, name: str, short_name: str = "",
                    department: Department | None = None) -> Department:
    """Add a department to `agency`, or rename `department` (thêm, sửa phòng ban)."""
    if department is not None:
        agency = department.agency
    ensure_can(actor, "org.edit_agency", agency)
    taken = Department.objects.filter(agency=agency, name__iexact=name)
    if department is not None:
        taken = taken.exclude(pk=department.pk)
    if taken.exists():
        raise ValidationError("Cơ quan đã có phòng ban tên này.")
    with transaction.atomic():
        created = department is None
        department = department or Department(agency=agency)
        department.name, department.short_name = name, short_name
        department.save()
        record(actor, "department.created" if created else "department.updated", department, agency=agency,
               summary={"name": name, "short_name": short_name})
    return department


# -- working calendar --------------------------------------------------------------------

def add_calendar_exception(*, actor, date, kind: str, agency: Agency | None, note: str = ""):
    """Add a day off or a make-up working day (ngày nghỉ, ngày làm bù), for one agency or, by a
    system administrator only, for the whole country."""
    from egov.core.models import CalendarException

    ensure_can(actor, "calendar.manage", agency)
    if agency is None and Role.SYSTEM_ADMIN not in actor.role_codes():
        raise PermissionDenied("Chỉ quản trị hệ thống mới thêm được ngày ngoại lệ áp dụng toàn quốc.")
    if kind not in CalendarException.Kind.values:
        raise ValidationError("Loại ngày không hợp lệ.")
    with transaction.atomic():
        if CalendarException.objects.filter(date=date, agency=agency).exists():
            raise ValidationError("Ngày này đã có trong lịch ngoại lệ của nơi áp dụng đã chọn.")
        exception = CalendarException.objects.create(date=date, kind=kind, agency=agency, note=note)
        record(actor, "calendar.exception_added", exception, agency=agency,
               summary={"date": date.isoformat(), "kind": kind, "national": agency is None})
    return exception


def remove_calendar_exception(*, actor, exception) -> None:
    ensure_can(actor, "calendar.manage", exception.agency)
    if exception.agency_id is None and Role.SYSTEM_ADMIN not in actor.role_codes():
        raise PermissionDenied("Chỉ quản trị hệ thống mới xóa được ngày ngoại lệ áp dụng toàn quốc.")
    with transaction.atomic():
        record(actor, "calendar.exception_removed", exception, agency=exception.agency,
               summary={"date": exception.date.isoformat(), "kind": exception.kind})
        exception.delete()
