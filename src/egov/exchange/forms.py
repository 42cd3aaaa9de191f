"""HTML forms of the exchange pages: shape only; the services decide."""

from __future__ import annotations

from django import forms

from egov.api.models import ApiKey
from egov.exchange.models import Peer

EXCHANGE_SCOPE = "exchange:write"


def exchange_keys(peer: Peer | None = None):
    """Active API keys holding exchange:write not yet bound to another peer (scopes are a JSON list:
    filtered here rather than with a JSON lookup every database does differently)."""
    keys = ApiKey.objects.filter(is_active=True).select_related("agency").order_by("name", "id")
    taken = set(Peer.objects.exclude(pk=peer.pk if peer else None).exclude(api_key=None)
                .values_list("api_key_id", flat=True))
    return [k for k in keys if k.has_scope(EXCHANGE_SCOPE) and k.pk not in taken]


def parse_agencies(text: str) -> list[tuple[str, str]]:
    """'CODE = Tên cơ quan', one a line, into (code, name) pairs; raises forms.ValidationError naming
    the line that is not of that shape."""
    rows, seen = [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, name = line.partition("=")
        code, name = code.strip(), name.strip()
        if not sep or not code or not name:
            raise forms.ValidationError(f"Dòng {number}: cần có dạng “MÃ = Tên cơ quan”.")
        if len(code) > 40 or " " in code:
            raise forms.ValidationError(f"Dòng {number}: mã định danh “{code[:40]}” không hợp lệ.")
        if code in seen:
            raise forms.ValidationError(f"Dòng {number}: mã định danh {code} bị trùng.")
        seen.add(code)
        rows.append((code, name[:255]))
    return rows


class PeerForm(forms.Form):
    name = forms.CharField(label="Tên đầu mối", max_length=120)
    kind = forms.ChoiceField(label="Loại", choices=Peer.Kind.choices, initial=Peer.Kind.EGOV)
    endpoint = forms.URLField(label="Địa chỉ nhận gói tin", max_length=300, required=False, assume_scheme="https",
                              help_text="Địa chỉ hệ thống đó nhận gói tin edXML, ví dụ "
                                        "https://egov.tinh-khac.gov.vn/api/v1/exchange/edxml. Để trống: chỉ nhận, "
                                        "không gửi đi (gói tin gửi sẽ chờ đến khi có địa chỉ).")
    outbound_key = forms.CharField(label="Khóa API để gọi hệ thống đó", required=False, max_length=500,
                                   widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                   help_text="Được mã hóa khi lưu và không bao giờ hiển thị lại.")
    api_key = forms.TypedChoiceField(label="Khóa API hệ thống đó dùng để gửi đến", required=False, coerce=int,
                                     empty_value=None,
                                     help_text="Khóa có phạm vi exchange:write, tạo tại Khóa API.")
    require_signature = forms.BooleanField(label="Bắt buộc gói tin có chữ ký số", required=False)
    is_active = forms.BooleanField(label="Đang hoạt động", required=False, initial=True)
    agencies = forms.CharField(label="Cơ quan qua đầu mối này", required=False,
                               widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
                               help_text="Mỗi dòng một cơ quan: MÃ ĐỊNH DANH = Tên cơ quan, "
                                         "ví dụ 000.00.01.H57 = Sở Nội vụ tỉnh Thừa Thiên Huế.")

    def __init__(self, *args, peer: Peer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.peer = peer
        self.fields["api_key"].choices = [("", "— Không có —"), *[
            (k.pk, f"{k.name} ({k.prefix}…) · {k.agency.name}") for k in exchange_keys(peer)]]
        if peer is None:
            del self.fields["is_active"]  # a new peer is active
        else:
            self.fields["kind"].disabled = True  # what it is does not change; add another peer instead
            self.fields["outbound_key"].help_text = (
                "Đã lưu một khóa. Để trống để giữ nguyên; nhập khóa mới để thay." if peer.outbound_key_sealed
                else "Chưa có khóa. " + self.fields["outbound_key"].help_text)

    @classmethod
    def initial_for(cls, peer: Peer) -> dict:
        return {"name": peer.name, "kind": peer.kind, "endpoint": peer.endpoint, "api_key": peer.api_key_id,
                "require_signature": peer.require_signature, "is_active": peer.is_active,
                "agencies": "\n".join(f"{a.code} = {a.name}" for a in peer.agencies.all())}

    def clean_agencies(self):
        return parse_agencies(self.cleaned_data.get("agencies", ""))

    def clean_outbound_key(self):
        return self.cleaned_data.get("outbound_key", "").strip()


class AnswerForm(forms.Form):
    agree = forms.TypedChoiceField(choices=[("1", "Đồng ý"), ("0", "Từ chối")], coerce=lambda v: v == "1")
    note = forms.CharField(label="Ghi chú", required=False, max_length=500)
