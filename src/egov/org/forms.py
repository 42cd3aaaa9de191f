from __future__ import annotations

import re

from django import forms
from django.contrib.auth import authenticate

from egov.org.account_forms import check_new_password
from egov.org.lockout import SignInRefused
from egov.org.models import User

PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")


def cleaned_phone(value: str | None) -> str | None:
    """A phone number as accounts keep it (spaces, dots and dashes dropped), or None; the one check
    of the sign-up, account and administration forms."""
    phone = re.sub(r"[\s.-]", "", value or "")
    if phone and not PHONE_RE.match(phone):
        raise forms.ValidationError("Số điện thoại không hợp lệ (ví dụ 0912345678).")
    return phone or None


class LoginForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập, email hoặc số điện thoại", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="Mật khẩu", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.refusal = None
        super().__init__(*args, **kwargs)

    def clean(self):
        identifier = self.cleaned_data.get("username", "")
        password = self.cleaned_data.get("password")
        if not identifier or password is None:
            return self.cleaned_data
        try:
            self.user = authenticate(self.request, username=identifier, password=password)
        except SignInRefused as exc:
            self.refusal = exc
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if self.user is None:
            raise forms.ValidationError("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_login")
        return self.cleaned_data


class CitizenRegistrationForm(forms.Form):
    kind = forms.ChoiceField(label="Loại tài khoản", choices=[(User.Kind.CITIZEN, "Người dân"),
                                                            (User.Kind.BUSINESS, "Doanh nghiệp")])
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    organization_name = forms.CharField(label="Tên doanh nghiệp (nếu có)", max_length=255, required=False)
    identity_number = forms.RegexField(label="Số định danh cá nhân (CCCD) hoặc mã số thuế",
                                       regex=r"^\d{10,13}$", max_length=13,
                                       error_messages={"invalid": "Số định danh gồm 12 chữ số; mã số thuế gồm 10 hoặc 13 chữ số."})
    email = forms.EmailField(label="Thư điện tử", required=False,
                             error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."})
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)
    password1 = forms.CharField(label="Mật khẩu", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Nhập lại mật khẩu", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_phone(self):
        return cleaned_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        # Whether the address is taken is never said here (accounts.request_registration).
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError("Cần ít nhất thư điện tử hoặc số điện thoại để đăng nhập.")
        check_new_password(self, data, User(full_name=data.get("full_name", "")))
        return data


class ProfileForm(forms.Form):
    """What a citizen or business may change of their account (thông tin tài khoản)."""

    organization_name = forms.CharField(label="Tên doanh nghiệp", max_length=255, required=False)
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)

    def __init__(self, *args, business: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not business:
            del self.fields["organization_name"]

    clean_phone = CitizenRegistrationForm.clean_phone
