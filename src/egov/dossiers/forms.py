from __future__ import annotations

import uuid

from django import forms

from egov.core.limits import DateField
from egov.org.models import Agency

APPLICANT_LABELS = {
    "applicant_name": "Họ và tên người nộp",
    "applicant_id_number": "Số định danh cá nhân / mã số thuế",
    "applicant_phone": "Số điện thoại",
    "applicant_email": "Thư điện tử",
    "applicant_address": "Địa chỉ",
    "note": "Nội dung đề nghị",
}


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=APPLICANT_LABELS["applicant_name"], max_length=200)
    applicant_id_number = forms.CharField(label=APPLICANT_LABELS["applicant_id_number"], max_length=20,
                                          required=False)
    applicant_phone = forms.CharField(label=APPLICANT_LABELS["applicant_phone"], max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    applicant_email = forms.EmailField(label=APPLICANT_LABELS["applicant_email"], required=False)
    applicant_address = forms.CharField(label=APPLICANT_LABELS["applicant_address"], max_length=255, required=False)
    note = forms.CharField(label=APPLICANT_LABELS["note"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class OnlineFilingForm(ApplicantForm):
    agency = forms.ModelChoiceField(label="Cơ quan tiếp nhận", queryset=Agency.objects.none(),
                                    empty_label="— Chọn cơ quan —")
    field_order = ["agency"]

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.filter(is_active=True)
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = uuid.uuid4().hex


class CounterIntakeForm(ApplicantForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = uuid.uuid4().hex


class StatsFilterForm(forms.Form):
    date_from = DateField(label="Từ ngày", required=False)
    date_to = DateField(label="Đến ngày", required=False)
    agency = forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.none(), required=False,
                                    empty_label="— Tất cả cơ quan được xem —")
    procedure = forms.CharField(label="Mã thủ tục", required=False, max_length=30)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
