"""Citizen forms for feedback (phản ánh, kiến nghị): send, confirm the one-time code, rate, reopen.

The forms check what a person can fix on the page (a missing subject, a bad phone number) and
keep what was typed; the rules that hold for every channel (web, API) are the services'.
"""

from __future__ import annotations

import uuid

from django import forms

from egov.feedback.models import FeedbackField
from egov.org.forms import cleaned_phone
from egov.org.models import AdministrativeUnit

ACCEPTED_FILES = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"
MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each file's content is checked by files.checked (intake)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def unit_choices(units) -> list:
    """The communes grouped by kind (Phường, Xã, Đặc khu), each group by name: a short select a
    thumb can scroll, instead of a datalist of the whole country."""
    groups: dict[str, list] = {}
    for unit in sorted(units, key=lambda u: u.name_folded or u.name):
        groups.setdefault(unit.division_type or "Khác", []).append((unit.pk, unit.name))
    return [("", "— Chọn xã, phường —")] + sorted(groups.items())


class FeedbackForm(forms.Form):
    """Gửi phản ánh, kiến nghị: what, where, and how to reach the sender."""

    subject = forms.CharField(label="Tiêu đề", max_length=255,
                              error_messages={"required": "Vui lòng nhập tiêu đề phản ánh."},
                              widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Đèn đường hỏng trước số 12 Lê Lợi"}))
    field = forms.ModelChoiceField(label="Lĩnh vực", required=False, queryset=FeedbackField.objects.none(),
                                   empty_label="— Chưa rõ, để cơ quan phân loại —")
    content = forms.CharField(label="Nội dung", max_length=5000,
                              error_messages={"required": "Vui lòng nhập nội dung phản ánh."},
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="Mô tả sự việc, thời gian, mức độ ảnh hưởng.")
    unit = UnitChoiceField(label="Xã, phường", required=False, queryset=AdministrativeUnit.objects.none())
    address = forms.CharField(label="Địa chỉ, địa điểm", max_length=255, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "Số nhà, tên đường, thôn, tổ dân phố"}))
    map_x = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    map_y = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    files = MultipleFileField(label="Ảnh chụp, tài liệu", required=False,
                              help_text=f"Ảnh JPEG, PNG hoặc tệp PDF, tối đa {MAX_FILES} tệp. "
                                        "Thông tin vị trí và thiết bị trong ảnh được xóa trước khi lưu.")
    publish_consent = forms.BooleanField(
        label="Cho phép công khai nội dung phản ánh và câu trả lời", required=False, initial=True,
        help_text="Họ tên, số điện thoại, email và địa chỉ của bạn không bao giờ được công khai.")
    name = forms.CharField(label="Họ và tên", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
                            help_text="Mã xác nhận được gửi qua tin nhắn đến số này.")
    email = forms.EmailField(label="Thư điện tử", max_length=254, required=False,
                             error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.fields["field"].queryset = FeedbackField.objects.filter(is_active=True)
        unit_list = list(units)
        self.fields["unit"].queryset = AdministrativeUnit.objects.filter(pk__in=[u.pk for u in unit_list])
        self.fields["unit"].choices = unit_choices(unit_list)
        if self.user is not None:
            # The account already says who it is: contact details are optional here.
            for name in ("name", "phone", "email"):
                self.fields[name].help_text = "Lấy từ tài khoản của bạn; có thể để trống."
        else:
            self.fields["phone"].help_text = ("Cần số điện thoại hoặc thư điện tử để nhận mã xác nhận "
                                              "và thông báo kết quả.")
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = uuid.uuid4().hex

    def clean_phone(self):
        return cleaned_phone(self.cleaned_data.get("phone")) or ""

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Chỉ đính kèm tối đa {MAX_FILES} tệp.")
        return files

    def clean(self):
        data = super().clean()
        if self.user is None and not data.get("phone") and not data.get("email") \
                and "phone" not in self.errors and "email" not in self.errors:
            self.add_error("phone", "Vui lòng nhập số điện thoại hoặc thư điện tử để nhận mã xác nhận.")
        return data


class DuplicateCheckForm(forms.Form):
    """The fields duplicates.similar reads; nothing here is required (an empty check finds nothing)."""

    subject = forms.CharField(max_length=255, required=False)
    content = forms.CharField(max_length=5000, required=False)
    unit = forms.IntegerField(required=False, min_value=1)
    address = forms.CharField(max_length=255, required=False)


class ConfirmForm(forms.Form):
    otp = forms.CharField(label="Mã xác nhận", max_length=12,
                          error_messages={"required": "Vui lòng nhập mã xác nhận."},
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                        "autofocus": True}))

    def clean_otp(self):
        return "".join(self.cleaned_data["otp"].split())


STARS = [(n, f"{n} sao") for n in range(5, 0, -1)]


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(label="Mức độ hài lòng", choices=STARS, coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": "Vui lòng chọn số sao (1 đến 5)."})
    satisfied = forms.TypedChoiceField(label="Vấn đề đã được giải quyết?", widget=forms.RadioSelect,
                                       choices=[("1", "Đã được giải quyết"), ("0", "Chưa được giải quyết")],
                                       coerce=lambda v: v == "1",
                                       error_messages={"required": "Vui lòng cho biết vấn đề đã được giải quyết chưa."})
    comment = forms.CharField(label="Ý kiến thêm", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Vì sao vấn đề chưa được giải quyết?", max_length=2000,
                             error_messages={"required": "Vui lòng nêu lý do mở lại phản ánh."},
                             widget=forms.Textarea(attrs={"rows": 3}))
