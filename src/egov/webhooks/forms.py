from __future__ import annotations

from django import forms

from egov.api.models import ApiKey
from egov.webhooks.models import EVENTS

EVENT_CHOICES = [(code, f"{label} (cần {scope})") for code, (label, scope) in EVENTS.items()]


class SubscriptionForm(forms.Form):
    url = forms.URLField(label="Địa chỉ nhận (URL)", max_length=500, assume_scheme="https",
                         help_text="egov gửi POST JSON, ký HMAC-SHA256 (xem tài liệu webhooks).")
    events = forms.MultipleChoiceField(label="Sự kiện", choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)


class SubscriptionCreateForm(SubscriptionForm):
    client = forms.ModelChoiceField(label="Hệ thống (khóa API)", queryset=ApiKey.objects.none())

    field_order = ["client", "url", "events"]

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients.filter(is_active=True)


class SubscriptionEditForm(SubscriptionForm):
    is_active = forms.BooleanField(label="Đang hoạt động", required=False)
