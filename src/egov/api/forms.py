from __future__ import annotations

from django import forms

from egov.api.scopes import SCOPES
from egov.org.models import Agency

SCOPE_CHOICES = [(code, f"{label} ({code})") for code, label in SCOPES.items()]


class ClientSettingsForm(forms.Form):
    scopes = forms.MultipleChoiceField(label="Phạm vi được phép", choices=SCOPE_CHOICES,
                                       widget=forms.CheckboxSelectMultiple)
    rate_limit = forms.IntegerField(label="Giới hạn (số yêu cầu mỗi phút)", required=False, min_value=1,
                                    max_value=1_000_000, help_text="Để trống nếu không giới hạn. "
                                    "Vượt giới hạn, hệ thống nhận lỗi 429 cho tới phút sau.")


class ClientCreateForm(ClientSettingsForm):
    name = forms.CharField(label="Tên hệ thống", max_length=120,
                           help_text="Ví dụ: Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) tỉnh")
    agency = forms.ModelChoiceField(label="Cơ quan sở hữu", queryset=Agency.objects.none(),
                                    help_text="Khóa chỉ thấy dữ liệu của cơ quan này và các đơn vị trực thuộc.")

    field_order = ["name", "agency", "scopes", "rate_limit"]

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies.order_by("name")
