"""Forms of the administration pages: officials, agencies, departments, calendar exceptions."""

from __future__ import annotations

from django import forms

from egov.core.models import CalendarException
from egov.org.forms import cleaned_phone
from egov.org.models import Agency, Department
from egov.org.roles import Role

REQUIRED = {"required": "Vui lòng nhập thông tin này."}


def role_choices(actor) -> list[tuple[str, str]]:
    """The roles `actor` may grant: an agency administrator never grants system administration."""
    return [(code, label) for code, label in Role.choices
            if code != Role.SYSTEM_ADMIN or Role.SYSTEM_ADMIN in actor.role_codes()]


class OfficialForm(forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=150, error_messages=REQUIRED)
    position = forms.CharField(label="Chức vụ", max_length=120, required=False)
    agency = forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.none(), error_messages={
        **REQUIRED, "invalid_choice": "Cơ quan không thuộc phạm vi bạn quản trị."})
    department = forms.ModelChoiceField(label="Phòng ban", queryset=Department.objects.none(), required=False,
                                        error_messages={"invalid_choice": "Phòng ban không hợp lệ."},
                                        help_text="Phòng ban phải thuộc cơ quan đã chọn.")
    roles = forms.MultipleChoiceField(label="Vai trò", widget=forms.CheckboxSelectMultiple, error_messages={
        "required": "Chọn ít nhất một vai trò.", "invalid_choice": "Bạn không được cấp vai trò %(value)s."})
    email = forms.EmailField(label="Thư điện tử", required=False,
                             error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."},
                             help_text="Dùng để gửi liên kết đặt lại mật khẩu.")
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)

    def __init__(self, *args, actor, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("path")
        self.fields["department"].queryset = (Department.objects.filter(agency__in=agencies)
                                              .select_related("agency").order_by("agency__path", "name"))
        self.fields["department"].label_from_instance = lambda d: f"{d.name} — {d.agency.short_name or d.agency.name}"
        self.fields["roles"].choices = role_choices(actor)

    def clean_phone(self):
        return cleaned_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        data = super().clean()
        department, agency = data.get("department"), data.get("agency")
        if department is not None and agency is not None and department.agency_id != agency.pk:
            self.add_error("department", "Phòng ban không thuộc cơ quan đã chọn.")
        return data


class OfficialCreateForm(OfficialForm):
    username = forms.RegexField(label="Tên đăng nhập", max_length=150, regex=r"^[\w.@+-]+$", error_messages={
        **REQUIRED, "invalid": "Tên đăng nhập chỉ gồm chữ, số và các ký tự . @ + - _ (không dấu cách)."})

    field_order = ["username", "full_name", "position", "agency", "department", "roles", "email", "phone"]


class ResetPasswordForm(forms.Form):
    method = forms.ChoiceField(label="Cách đặt lại", widget=forms.RadioSelect, initial="temporary", choices=[
        ("temporary", "Tạo mật khẩu tạm thời (hiện một lần để trao cho cán bộ)"),
        ("email", "Gửi liên kết đặt lại mật khẩu tới thư điện tử của cán bộ")],
        error_messages={"required": "Chọn cách đặt lại mật khẩu."})


class AgencyForm(forms.Form):
    name = forms.CharField(label="Tên cơ quan", max_length=255, error_messages=REQUIRED)
    short_name = forms.CharField(label="Tên viết tắt", max_length=30, error_messages=REQUIRED,
                                 help_text="Dùng trong ký hiệu văn bản, ví dụ UBND, STP.")
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False,
                             error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."})


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Tên phòng ban", max_length=255, error_messages=REQUIRED)
    short_name = forms.CharField(label="Tên viết tắt", max_length=30, required=False,
                                 help_text="Dùng trong ký hiệu công văn, ví dụ VP, KT.")


class CalendarExceptionForm(forms.Form):
    date = forms.DateField(label="Ngày", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           error_messages={**REQUIRED, "invalid": "Ngày không hợp lệ (ngày/tháng/năm)."})
    kind = forms.ChoiceField(label="Loại", choices=[
        (CalendarException.Kind.DAY_OFF, "Ngày nghỉ"),
        (CalendarException.Kind.WORKING_DAY, "Ngày làm bù")],
        error_messages={"required": "Chọn loại ngày."},
        help_text="Ngày nghỉ không tính vào thời hạn giải quyết; ngày làm bù là thứ Bảy, Chủ nhật đi làm.")
    agency = forms.ModelChoiceField(label="Áp dụng cho", queryset=Agency.objects.none(), required=False,
                                    error_messages={"invalid_choice": "Cơ quan không thuộc phạm vi bạn quản trị."})
    note = forms.CharField(label="Ghi chú", max_length=255, required=False,
                           help_text="Ví dụ: số văn bản thông báo nghỉ.")

    def __init__(self, *args, agencies, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = agencies.order_by("path")
        if national:
            field.empty_label = "Toàn quốc (mọi cơ quan)"
        else:
            field.required = True
            field.empty_label = None
            field.error_messages["required"] = "Chọn cơ quan áp dụng."
