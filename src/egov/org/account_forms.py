"""Forms of account recovery and two-factor sign-in."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="Thư điện tử đã đăng ký", max_length=254,
                             error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ.",
                                             "required": "Vui lòng nhập địa chỉ thư điện tử."},
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


def check_new_password(form: forms.Form, data: dict, user) -> None:
    """The two typed passwords agree and pass the validators (EGOV password rules) for `user`."""
    if data.get("password1") and data.get("password1") != data.get("password2"):
        form.add_error("password2", "Hai mật khẩu không khớp.")
    elif data.get("password1"):
        try:
            password_validation.validate_password(data["password1"], user)
        except forms.ValidationError as exc:
            form.add_error("password1", exc)


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(label="Mật khẩu mới", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
                                help_text="Ít nhất 8 ký tự, không quá phổ biến, không toàn chữ số.")
    password2 = forms.CharField(label="Nhập lại mật khẩu mới", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        check_new_password(self, data, self.user)
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(label="Mật khẩu hiện tại", strip=False,
                                   error_messages={"required": "Vui lòng nhập mật khẩu hiện tại."},
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                     "autofocus": True}))

    field_order = ["old_password", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].widget.attrs.pop("autofocus", None)


class ActivationForm(forms.Form):
    password = forms.CharField(label="Mật khẩu đã đăng ký", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))


class CodeForm(forms.Form):
    code = forms.CharField(label="Mã xác thực", max_length=20,
                           error_messages={"required": "Vui lòng nhập mã xác thực."},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                         "autocapitalize": "off", "spellcheck": "false"}))
