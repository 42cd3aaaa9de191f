from __future__ import annotations

from django import forms

from egov.org.models import Agency


class CertificateForm(forms.Form):
    file = forms.FileField(label="Tệp chứng thư số (.p12, .pfx)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}))
    password = forms.CharField(label="Mật khẩu của tệp", required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    image = forms.FileField(label="Hình chữ ký (PNG, không bắt buộc)", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png"}))


class AgencyCertificateForm(CertificateForm):
    agency = forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.none())

    field_order = ["agency", "file", "password", "image"]

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies


class TrustedRootForm(forms.Form):
    name = forms.CharField(label="Tên hiển thị", max_length=255, required=False,
                           help_text="Ví dụ: Chứng thư số gốc Chính phủ. Để trống để dùng tên trong chứng thư.")
    file = forms.FileField(label="Tệp chứng thư số gốc (.cer, .crt, .pem)")


class VerifyForm(forms.Form):
    file = forms.FileField(label="Tệp PDF đã ký số",
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


class SignForm(forms.Form):
    AS_OFFICIAL, AS_AGENCY = "official", "agency"

    file = forms.FileField(label="Tệp PDF cần ký",
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    signer = forms.ChoiceField(label="Ký với tư cách", initial=AS_OFFICIAL, choices=[
        (AS_OFFICIAL, "Cá nhân (chứng thư số của tôi)"), (AS_AGENCY, "Cơ quan (chứng thư số của cơ quan)")])
    page = forms.ChoiceField(label="Trang đặt hình chữ ký", initial="last",
                             choices=[("last", "Trang cuối"), ("first", "Trang đầu")])
    corner = forms.ChoiceField(label="Vị trí trên trang", initial="bottom-right", choices=[
        ("bottom-right", "Góc dưới bên phải"), ("bottom-left", "Góc dưới bên trái"),
        ("top-right", "Góc trên bên phải"), ("top-left", "Góc trên bên trái")])
    reason = forms.CharField(label="Lý do ký", max_length=200, required=False, initial="Phê duyệt văn bản")

    def __init__(self, *args, can_sign_for_agency: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_sign_for_agency:
            self.fields["signer"].choices = self.fields["signer"].choices[:1]
            self.fields["signer"].widget = forms.HiddenInput()
