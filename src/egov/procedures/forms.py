from __future__ import annotations

from decimal import Decimal

from django import forms

from egov.org.roles import Role
from egov.procedures.services import PROCESS_ROLES


class StepForm(forms.Form):
    name = forms.CharField(label="Tên bước", max_length=255)
    # A blank first choice keeps an unused extra row unchanged (and so ignored).
    role = forms.ChoiceField(label="Vai trò xử lý",
                             choices=[("", "— Chọn vai trò —")] + [(r, Role(r).label) for r in PROCESS_ROLES])
    department_name = forms.CharField(label="Phòng ban", max_length=255, required=False)
    share = forms.DecimalField(label="Thời gian", max_digits=7, decimal_places=2, min_value=Decimal("0.01"),
                               error_messages={"invalid": "Nhập một số, ví dụ 0.5 hoặc 2.",
                                               "min_value": "Thời gian phải là số dương.",
                                               "max_decimal_places": "Tối đa hai chữ số thập phân."})


class BaseStepFormSet(forms.BaseFormSet):
    """Every row is optional: a blanked row is dropped, so removing a step needs no script."""

    def initial_form_count(self):
        return 0

    def total_form_count(self):
        if self.is_bound:
            return super().total_form_count()
        return min(len(self.initial or []) + self.extra, self.max_num)

    def steps(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=2, can_delete=True, max_num=30,
                                    validate_max=True)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx) theo mẫu xuất ra",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > 10 * 1024 * 1024:
            raise forms.ValidationError("Tệp quá lớn (tối đa 10 MB).")
        return file
