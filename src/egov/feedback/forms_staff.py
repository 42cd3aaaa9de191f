"""Forms of the officials' feedback pages (phản ánh, kiến nghị — cán bộ xử lý).

Each action on the feedback page is one small form, prefixed with the action's name so several
can sit on one page; the services check everything again (permissions, state, lengths)."""

from __future__ import annotations

from django import forms

from egov.core.limits import DateField
from egov.feedback.models import Ban, Feedback, FeedbackField
from egov.org.models import Agency

REASON_WIDGET = forms.Textarea(attrs={"rows": 2})


def _agencies():
    return Agency.objects.filter(is_active=True).only("pk", "name", "code").order_by("name")


class RouteForm(forms.Form):
    """Phân loại và chuyển cơ quan có thẩm quyền: field, agency and handling days."""

    field = forms.ModelChoiceField(label="Lĩnh vực", queryset=FeedbackField.objects.none(),
                                   empty_label="— Chọn lĩnh vực —")
    agency = forms.ModelChoiceField(label="Cơ quan có thẩm quyền xử lý", queryset=Agency.objects.none(),
                                    empty_label="— Chọn cơ quan —")
    days = forms.IntegerField(label="Thời hạn xử lý (ngày làm việc)", min_value=1, max_value=90, required=False,
                              help_text="Để trống: theo thời hạn của lĩnh vực.")
    note = forms.CharField(label="Ý kiến chỉ đạo", required=False, max_length=2000, widget=REASON_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = FeedbackField.objects.filter(is_active=True)
        self.fields["agency"].queryset = _agencies()
        # The field's own days show beside its name, so the officer sees the default they accept.
        self.fields["field"].label_from_instance = lambda f: f"{f.name} ({f.handling_days} ngày)"


class CloseForm(forms.Form):
    reason = forms.CharField(label="Lý do", max_length=2000, widget=REASON_WIDGET)
    not_competent = forms.BooleanField(label="Không thuộc thẩm quyền giải quyết", required=False)


class DuplicateForm(forms.Form):
    original = forms.CharField(label="Mã phản ánh trùng (đã có trước)", max_length=30,
                               widget=forms.TextInput(attrs={"placeholder": "PA-…", "autocapitalize": "characters"}))


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label="Giao cho chuyên viên", queryset=None, empty_label="— Chọn cán bộ —")

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.display_name


class TransferForm(forms.Form):
    agency = forms.ModelChoiceField(label="Chuyển đến cơ quan", queryset=Agency.objects.none(),
                                    empty_label="— Chọn cơ quan —")
    reason = forms.CharField(label="Lý do chuyển", max_length=2000, widget=REASON_WIDGET)

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = _agencies()
        self.fields["agency"].queryset = agencies.exclude(pk=exclude) if exclude else agencies


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", max_length=2000, widget=REASON_WIDGET)


class NoteForm(forms.Form):
    note = forms.CharField(label="Ý kiến (nêu điểm cần sửa)", max_length=2000, widget=REASON_WIDGET)


class DraftForm(forms.Form):
    text = forms.CharField(label="Nội dung trả lời", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label="Văn bản trả lời (PDF, không bắt buộc)", required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class ApproveForm(forms.Form):
    public_text = forms.CharField(label="Nội dung công khai (đã che thông tin cá nhân)", max_length=20000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text="Nội dung hiển thị trên trang công khai; người gửi nhận bản đầy đủ.")
    publish = forms.BooleanField(label="Công khai câu trả lời", required=False, initial=True)


class RedactForm(forms.Form):
    FIELDS = (("subject", "Tiêu đề"), ("content", "Nội dung"), ("address", "Địa chỉ"))

    field_name = forms.ChoiceField(label="Phần cần che", choices=FIELDS)
    text = forms.CharField(label="Nội dung sau khi che", max_length=20000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="Lý do", max_length=2000, widget=REASON_WIDGET)


class RedactAnswerForm(forms.Form):
    text = forms.CharField(label="Nội dung công khai sau khi che", max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    reason = forms.CharField(label="Lý do", max_length=2000, widget=REASON_WIDGET)


class HideFileForm(forms.Form):
    file = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Lý do ẩn tệp", max_length=2000, widget=REASON_WIDGET)


class BanForm(forms.Form):
    kind = forms.ChoiceField(label="Loại", choices=Ban.Kind.choices)
    value = forms.CharField(label="Giá trị (số điện thoại, thư điện tử hoặc địa chỉ IP)", max_length=254)
    reason = forms.CharField(label="Lý do", max_length=2000, widget=REASON_WIDGET)
    until = DateField(label="Chặn đến ngày (để trống: không thời hạn)", required=False)


class FieldForm(forms.Form):
    code = forms.SlugField(label="Mã", max_length=40, help_text="Chữ không dấu, số, dấu gạch; không đổi được sau khi tạo.")
    name = forms.CharField(label="Tên lĩnh vực", max_length=200)
    handling_days = forms.IntegerField(label="Thời hạn xử lý (ngày làm việc)", min_value=1, max_value=90, initial=10)
    order = forms.IntegerField(label="Thứ tự hiển thị", min_value=0, max_value=32767, initial=100)
    is_active = forms.BooleanField(label="Đang dùng", required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["is_active"]


STATUS_CHOICES = [(value, label) for value, label in Feedback.Status.choices if value != Feedback.Status.PENDING]
