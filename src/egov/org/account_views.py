"""Pages of account recovery, activation and two-factor sign-in (thin: the rules are in accounts)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from egov.core.client import client_address
from egov.core.errors import ValidationError
from egov.core.ratelimit import RateLimited, check_rate, client_key
from egov.core.views import citizen_required
from egov.org import accounts, lockout, totp
from egov.org.account_forms import (
    ActivationForm,
    CodeForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
)
from egov.org.forms import ProfileForm

# Session keys. PENDING: a password checked, the second factor not yet (the session is not signed
# in). VERIFIED: how this signed-in session passed the second factor ("ok"), or that the account
# needs none ("none"); TwoFactorMiddleware signs out sessions that lack it but need it.
PENDING = "egov_pending_login"
VERIFIED = "egov_2fa"
PENDING_SECONDS = 300
RESET_RATE = {"limit": 5, "window": 900}


def sign_in(request, user, next_url: str = ""):
    """After the password: sign in, or ask for the second factor first (or its enrolment)."""
    has_device = accounts.has_two_factor(user)
    if has_device or accounts.two_factor_required(user):
        request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": next_url,
                                    "at": time.time()}
        return redirect("two-factor-verify" if has_device else "two-factor-setup")
    _complete(request, user, user.backend, "none")
    return _landing(user, next_url)


def _complete(request, user, backend: str, mark: str) -> None:
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=backend)
    request.session[VERIFIED] = mark
    messages.success(request, f"Xin chào {user.display_name}.")


def _landing(user, next_url: str):
    if next_url:
        return redirect(next_url)
    return redirect("staff-home" if user.is_official else "home")


def _pending(request):
    """The user whose password passed in this session and who still owes the second factor."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request):
    user, pending = _pending(request)
    if user is None:
        messages.error(request, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account, address = lockout.account_key(user, ""), client_address(request)
        try:
            lockout.check(account, address)
        except lockout.SignInRefused:
            request.session.pop(PENDING, None)
            raise  # answered 429 by SignInRefusedMiddleware, as at every door
        if accounts.check_second_factor(user=user, code=form.cleaned_data["code"]):
            _complete(request, user, pending["backend"], "ok")
            return _landing(user, pending["next"])
        # A wrong code counts like a wrong password: guessing codes ends in the same lockout.
        lockout.failed(account=account, address=address, user=user)
        form.add_error("code", "Mã xác thực không đúng hoặc đã được dùng.")
    return render(request, "org/account/two_factor_verify.html", {"form": form},
                  status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request):
    """Enrol an authenticator app; a pending administrator who must use one comes here first."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
    else:
        user, pending = _pending(request)
        if user is None:
            return redirect("login")
    if request.method == "POST" and request.POST.get("action") == "disable" and pending is None:
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                accounts.disable_two_factor(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                messages.error(request, exc.message)
            else:
                request.session[VERIFIED] = "none"
                messages.success(request, "Đã tắt xác thực hai bước.")
        return redirect("two-factor-setup")
    if accounts.has_two_factor(user):
        return render(request, "org/account/two_factor_status.html",
                      {"form": CodeForm(), "required": accounts.two_factor_required(user),
                       "codes_left": user.recovery_codes.filter(used_at__isnull=True).count()})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = accounts.confirm_two_factor(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message)
        else:
            if pending is not None:
                _complete(request, user, pending["backend"], "ok")
            else:
                request.session[VERIFIED] = "ok"
            next_url = (pending or {}).get("next") or reverse("staff-home" if user.is_official else "home")
            return render(request, "org/account/recovery_codes.html", {"codes": codes, "next": next_url})
    secret = accounts.pending_secret(user=user)
    uri = totp.provisioning_uri(secret, account=user.username, issuer=settings.SITE_NAME)
    return render(request, "org/account/two_factor_setup.html", {
        "form": form, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "qr": totp.qr_svg_data_uri(uri), "forced": pending is not None},
        status=400 if form.errors else 200)


@never_cache
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_rate("password_reset", client_key(request), **RESET_RATE)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return render(request, "org/account/password_reset.html", {"form": form}, status=429)
        accounts.request_password_reset(email=form.cleaned_data["email"])
        return redirect("password-reset-sent")
    return render(request, "org/account/password_reset.html", {"form": form},
                  status=400 if form.errors else 200)


def password_reset_sent(request):
    return render(request, "org/account/password_reset_sent.html",
                  {"minutes": settings.PASSWORD_RESET_TIMEOUT // 60})


@never_cache
@sensitive_post_parameters("password1", "password2")
def password_reset_confirm(request, uidb64, token):
    user = accounts.link_user(uidb64, token, purpose="reset")
    if user is None:
        return render(request, "org/account/link_invalid.html", status=400)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.reset_password(user=user, password=form.cleaned_data["password1"])
        if request.user.is_authenticated:
            auth_logout(request)
        messages.success(request, "Đã đặt mật khẩu mới. Vui lòng đăng nhập bằng mật khẩu mới.")
        return redirect("login")
    return render(request, "org/account/password_reset_confirm.html", {"form": form},
                  status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("password")
def activate(request, uidb64, token):
    user = accounts.link_user(uidb64, token, purpose="activate")
    if user is None:
        return render(request, "org/account/link_invalid.html", status=400)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.activate_account(user=user, token=token, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc.message)
        else:
            messages.info(request, "Tài khoản đã được kích hoạt.")
            user.backend = "egov.org.auth.LoginBackend"
            return sign_in(request, user)
    return render(request, "org/account/activate.html", {"form": form}, status=400 if form.errors else 200)


def registration_sent(request):
    return render(request, "org/account/registration_sent.html")


@never_cache
@sensitive_post_parameters("old_password", "password1", "password2")
def password_change(request):
    """Change one's own password; the page a one-time password leads to (PasswordChangeMiddleware)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.change_password(user=user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("staff-home" if user.is_official else "account-profile")
    return render(request, "org/account/password_change.html", {"form": form, "forced": user.must_change_password},
                  status=400 if form.errors else 200)


@citizen_required
def profile(request):
    """Thông tin tài khoản: who the account is, the contact details they may change, and the way to
    the password, two-factor and notification pages."""
    user = request.user
    business = user.kind == user.Kind.BUSINESS
    initial = {"phone": user.phone or "", "address": user.address, "organization_name": user.organization_name}
    form = ProfileForm(request.POST or None, initial=initial, business=business)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.update_profile(user=user, phone=data["phone"] or "", address=data["address"],
                                    organization_name=data.get("organization_name", ""))
        except ValidationError as exc:
            form.add_error("phone" if exc.code in ("phone", "phone_taken") else None, exc.message)
        else:
            messages.success(request, "Đã cập nhật thông tin tài khoản.")
            return redirect("account-profile")
    return render(request, "org/account/profile.html", {
        "form": form, "business": business, "two_factor": accounts.has_two_factor(user),
    }, status=400 if form.errors else 200)
