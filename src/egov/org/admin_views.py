"""Administration pages (quản trị): officials, agencies, departments and the calendar's exceptions.

Thin: each page reads through `org.selectors`, writes through `org.services`, which check the
permission and the agency subtree and write the audit entry.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError, PermissionDenied
from egov.core.views import forbidden, found_or_404, paginate
from egov.org import selectors, services
from egov.org.access import staff_required
from egov.org.admin_forms import (
    AgencyForm,
    CalendarExceptionForm,
    DepartmentForm,
    OfficialCreateForm,
    OfficialForm,
    ResetPasswordForm,
)
from egov.org.permissions import can, visible_agencies
from egov.org.roles import Role


def _one_time_password_page(request, official, password):
    # The password lives only in this response: not stored, not in a redirect, not cached.
    response = render(request, "org/admin/official_password.html", {"official": official, "password": password})
    response["Cache-Control"] = "no-store"
    return response


# -- officials ---------------------------------------------------------------------------

@staff_required("org.manage_officials")
def official_create(request):
    actor = request.user
    form = OfficialCreateForm(request.POST or None, actor=actor, agencies=visible_agencies(actor),
                              initial={"agency": actor.official.agency_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = services.generate_password()
        try:
            official = services.create_official(
                actor=actor, agency=data["agency"], username=data["username"], full_name=data["full_name"],
                password=password, roles=data["roles"], position=data["position"], department=data["department"],
                email=data["email"], phone=data["phone"], temporary_password=True)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm cán bộ {official.user.full_name}.")
            return _one_time_password_page(request, official, password)
    return render(request, "org/admin/official_form.html", {"form": form, "creating": True},
                  status=400 if form.errors else 200)


@staff_required("org.manage_officials")
def official_detail(request, pk: int):
    actor = request.user
    official = found_or_404(selectors.official_visible_to, actor, pk)
    user = official.user
    form = OfficialForm(request.POST or None, actor=actor, agencies=visible_agencies(actor), initial={
        "full_name": user.full_name, "position": official.position, "agency": official.agency_id,
        "department": official.department_id, "roles": official.role_codes(), "email": user.email,
        "phone": user.phone or ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_official(actor=actor, official=official, full_name=data["full_name"], roles=data["roles"],
                                     agency=data["agency"], department=data["department"],
                                     position=data["position"], email=data["email"], phone=data["phone"])
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu thông tin cán bộ {user.full_name}.")
            return redirect("official-detail", pk=official.pk)
    manageable = Role.SYSTEM_ADMIN not in official.role_codes() or Role.SYSTEM_ADMIN in actor.role_codes()
    return render(request, "org/admin/official_detail.html", {
        "official": official, "form": form, "reset_form": ResetPasswordForm(), "manageable": manageable,
        "is_self": official.user_id == actor.pk}, status=400 if form.errors else 200)


def _official_action(request, pk: int, action):
    official = found_or_404(selectors.official_visible_to, request.user, pk)
    try:
        message = action(official)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if message is not None and not isinstance(message, str):
            return message
        messages.success(request, message)
    return redirect("official-detail", pk=official.pk)


@require_POST
@staff_required("org.manage_officials")
def official_deactivate(request, pk: int):
    def act(official):
        services.set_official_active(actor=request.user, official=official, active=False)
        return f"Đã khóa tài khoản {official.user.username}: cán bộ không đăng nhập được nữa."
    return _official_action(request, pk, act)


@require_POST
@staff_required("org.manage_officials")
def official_reactivate(request, pk: int):
    def act(official):
        services.set_official_active(actor=request.user, official=official, active=True)
        return f"Đã mở khóa tài khoản {official.user.username}."
    return _official_action(request, pk, act)


@require_POST
@staff_required("org.manage_officials")
def official_reset_password(request, pk: int):
    form = ResetPasswordForm(request.POST)

    def act(official):
        by_email = form.is_valid() and form.cleaned_data["method"] == "email"
        password = services.reset_official_password(actor=request.user, official=official, by_email=by_email)
        if password is None:
            return f"Đã gửi liên kết đặt lại mật khẩu tới {official.user.email}."
        return _one_time_password_page(request, official, password)
    return _official_action(request, pk, act)


# -- agencies and departments ------------------------------------------------------------

@staff_required("org.edit_agency")
def agency_detail(request, pk: int):
    actor = request.user
    agency = found_or_404(selectors.agency_visible_to, actor, pk)
    form = AgencyForm(request.POST or None, prefix="agency", initial={
        "name": agency.name, "short_name": agency.short_name, "address": agency.address,
        "phone": agency.phone, "email": agency.email})
    department_form = DepartmentForm(prefix="department")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(actor=actor, agency=agency, **form.cleaned_data)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu thông tin cơ quan.")
            return redirect("agency-detail", pk=agency.pk)
    return render(request, "org/admin/agency_detail.html", {
        "agency": agency, "form": form, "department_form": department_form,
        "departments": agency.departments.order_by("name")}, status=400 if form.errors else 200)


@require_POST
@staff_required("org.edit_agency")
def department_create(request, pk: int):
    actor = request.user
    agency = found_or_404(selectors.agency_visible_to, actor, pk)
    form = DepartmentForm(request.POST, prefix="department")
    if form.is_valid():
        try:
            department = services.save_department(actor=actor, agency=agency, **form.cleaned_data)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm phòng ban {department.name}.")
            return redirect("agency-detail", pk=agency.pk)
    return render(request, "org/admin/agency_detail.html", {
        "agency": agency, "form": AgencyForm(prefix="agency", initial={
            "name": agency.name, "short_name": agency.short_name, "address": agency.address,
            "phone": agency.phone, "email": agency.email}),
        "department_form": form, "departments": agency.departments.order_by("name")}, status=400)


@staff_required("org.edit_agency")
def department_edit(request, pk: int):
    actor = request.user
    department = found_or_404(selectors.department_visible_to, actor, pk)
    form = DepartmentForm(request.POST or None, initial={"name": department.name,
                                                         "short_name": department.short_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_department(actor=actor, agency=department.agency, department=department,
                                     **form.cleaned_data)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu phòng ban.")
            return redirect("agency-detail", pk=department.agency_id)
    return render(request, "org/admin/department_form.html", {"department": department, "form": form},
                  status=400 if form.errors else 200)


# -- working calendar --------------------------------------------------------------------

@staff_required("calendar.manage")
def calendar_exceptions(request):
    actor = request.user
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    national = Role.SYSTEM_ADMIN in actor.role_codes()
    form = CalendarExceptionForm(request.POST or None, agencies=visible_agencies(actor), national=national,
                                 initial={"agency": None if national else actor.official.agency_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exception = services.add_calendar_exception(actor=actor, date=data["date"], kind=data["kind"],
                                                        agency=data["agency"], note=data["note"])
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm {exception}.")
            return redirect(f"{reverse('calendar-exceptions')}?nam={exception.date.year}")
    rows = selectors.calendar_exceptions_for(actor, year)
    return render(request, "org/admin/calendar_exceptions.html", {
        "form": form, "year": year, "page": paginate(request, rows),
        "national": national}, status=400 if form.errors else 200)


@require_POST
@staff_required("calendar.manage")
def calendar_exception_delete(request, pk: int):
    from egov.core.models import CalendarException

    actor = request.user
    exception = CalendarException.objects.filter(pk=pk).select_related("agency").first()
    if exception is None or (exception.agency is not None and not can(actor, "calendar.manage", exception.agency)):
        raise Http404("Không tìm thấy ngày ngoại lệ.")
    try:
        services.remove_calendar_exception(actor=actor, exception=exception)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    messages.success(request, f"Đã xóa {exception}.")
    return redirect(f"{reverse('calendar-exceptions')}?nam={exception.date.year}")
