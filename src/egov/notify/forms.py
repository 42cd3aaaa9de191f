from __future__ import annotations

from django import forms

from egov.notify.models import Channel


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label="Nhận thông báo qua thư điện tử", required=False)
    sms = forms.BooleanField(label="Nhận thông báo qua tin nhắn SMS", required=False)


class TemplateForm(forms.Form):
    subject = forms.CharField(label="Tiêu đề thư", max_length=255, required=False)
    body = forms.CharField(label="Nội dung", max_length=4000, widget=forms.Textarea(attrs={"rows": 8}))
    is_active = forms.BooleanField(label="Dùng mẫu này (bỏ chọn: dùng mẫu mặc định)", required=False)

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        if channel != Channel.EMAIL:
            del self.fields["subject"]
        if channel == Channel.SMS:
            self.fields["body"].help_text = ("Gửi không dấu, tối đa 160 ký tự; phần dài hơn bị cắt. "
                                             "Viết biến trong cặp {{ }}, ví dụ {{ code }}.")
        else:
            self.fields["body"].help_text = "Viết biến trong cặp {{ }}, ví dụ {{ code }}."
