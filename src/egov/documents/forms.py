"""HTML forms of the documents pages: shape only; the services decide."""

from __future__ import annotations

from django import forms

from egov.core.limits import DateField
from egov.documents.models import Assignment, Document, DocumentType


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def type_field(**kwargs):
    return forms.ModelChoiceField(queryset=DocumentType.objects.filter(is_active=True), label="Loại văn bản",
                                  empty_label="— Chọn loại văn bản —", **kwargs)


class IncomingForm(forms.Form):
    files = MultipleFileField(label="Tệp văn bản (PDF)", required=False,
                              help_text="Chọn tệp PDF để hệ thống tự đọc số, ký hiệu, ngày, cơ quan ban hành, trích yếu.")
    doc_type = type_field()
    number_symbol = forms.CharField(label="Số, ký hiệu", max_length=60, required=False)
    issued_on = DateField(label="Ngày ban hành", required=False)
    issuer_name = forms.CharField(label="Cơ quan ban hành", max_length=255, required=False)
    summary = forms.CharField(label="Trích yếu", widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(label="Người ký", max_length=150, required=False)
    signer_position = forms.CharField(label="Chức vụ người ký", max_length=150, required=False)
    urgency = forms.ChoiceField(label="Độ khẩn", choices=Document.Urgency.choices, initial=Document.Urgency.NORMAL)
    confidentiality = forms.ChoiceField(label="Độ mật", choices=Document.Confidentiality.choices,
                                        initial=Document.Confidentiality.NORMAL)
    page_count = forms.IntegerField(label="Số trang", min_value=1, required=False)
    due_on = DateField(label="Hạn xử lý", required=False)


class AssignForm(forms.Form):
    lead = forms.ChoiceField(label="Chủ trì", required=True)
    cooperate = forms.MultipleChoiceField(label="Phối hợp", required=False, widget=forms.CheckboxSelectMultiple)
    inform = forms.MultipleChoiceField(label="Để biết", required=False, widget=forms.CheckboxSelectMultiple)
    deadline_days = forms.IntegerField(label="Thời hạn (số ngày làm việc)", min_value=1, max_value=365, required=False)
    deadline = DateField(label="Hoặc hạn xử lý đến ngày", required=False)
    instruction = forms.CharField(label="Ý kiến chỉ đạo", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "— Chọn —"), *choices]
        self.fields["cooperate"].choices = choices
        self.fields["inform"].choices = choices


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(label="Chuyển cho")
    role = forms.ChoiceField(label="Vai trò", choices=Assignment.Role.choices)
    deadline = DateField(label="Hạn xử lý", required=False)
    instruction = forms.CharField(label="Ý kiến", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = choices


class NoteForm(forms.Form):
    text = forms.CharField(label="Ý kiến, tiến độ xử lý", widget=forms.Textarea(attrs={"rows": 2}))


class DraftForm(forms.Form):
    doc_type = type_field()
    summary = forms.CharField(label="Trích yếu", widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="Tệp dự thảo (DOCX hoặc PDF)", required=False)
    signer = forms.ChoiceField(label="Người ký")
    recipients = forms.MultipleChoiceField(label="Nơi nhận trong hệ thống", required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    remote = forms.MultipleChoiceField(label="Nơi nhận liên thông (ngoài hệ thống)", required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}),
                                       help_text="Cơ quan ở hệ thống khác: văn bản được gửi điện tử qua trục liên "
                                                 "thông khi phát hành.")
    external = forms.CharField(label="Nơi nhận khác", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="Mỗi dòng một nơi nhận: Tên cơ quan; địa chỉ thư điện tử (nếu có).")
    urgency = forms.ChoiceField(label="Độ khẩn", choices=Document.Urgency.choices, initial=Document.Urgency.NORMAL)
    confidentiality = forms.ChoiceField(label="Độ mật", choices=Document.Confidentiality.choices,
                                        initial=Document.Confidentiality.NORMAL)

    def __init__(self, *args, signers=(), agencies=(), remote_agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].choices = [("", "— Chọn người ký —"), *signers]
        self.fields["recipients"].choices = agencies
        if remote_agencies:
            self.fields["remote"].choices = [(code, f"{name} ({code})") for code, name in remote_agencies]
            self.remote_names = dict(remote_agencies)
        else:
            del self.fields["remote"]  # no agency outside this instance is reachable

    def remote_recipients(self) -> list[tuple[str, str]]:
        """The chosen agencies outside this instance as (identifier code, name)."""
        return [(code, self.remote_names[code]) for code in self.cleaned_data.get("remote", [])]

    def external_recipients(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data.get("external", "").splitlines():
            name, _, address = line.partition(";")
            if name.strip():
                rows.append((name.strip(), address.strip()))
        return rows


class VersionForm(forms.Form):
    file = forms.FileField(label="Tệp dự thảo mới (DOCX hoặc PDF)")
    note = forms.CharField(label="Ghi chú", required=False)


class SubmitForm(forms.Form):
    reviewers = forms.MultipleChoiceField(label="Người cho ý kiến (lần lượt theo thứ tự trong danh sách)", required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = choices


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Đồng ý"), ("return", "Trả lại để sửa")], label="Ý kiến",
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label="Nội dung góp ý", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    final_pdf = forms.FileField(label="Bản PDF cuối cùng", required=False,
                                help_text="Để trống nếu dùng bản dự thảo PDF mới nhất.")
    comment = forms.CharField(label="Ý kiến", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IssueForm(forms.Form):
    issued_on = DateField(label="Ngày ban hành", required=False, help_text="Để trống: hôm nay.")


class SearchForm(forms.Form):
    q = forms.CharField(label="Từ khóa", required=False)
    direction = forms.ChoiceField(label="Loại", required=False, choices=[("", "Tất cả"), *Document.Direction.choices])
    doc_type = forms.ChoiceField(label="Loại văn bản", required=False)
    issuer = forms.CharField(label="Cơ quan ban hành", required=False)
    date_from = DateField(label="Từ ngày", required=False)
    date_to = DateField(label="Đến ngày", required=False)
    status = forms.ChoiceField(label="Trạng thái", required=False, choices=[("", "Tất cả"), *Document.Status.choices])
    handler = forms.ChoiceField(label="Người xử lý", required=False)

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", "Tất cả"), *DocumentType.objects.filter(is_active=True)
                                           .values_list("code", "name")]
        self.fields["handler"].choices = [("", "Tất cả"), *handlers]


class DocumentTypeForm(forms.ModelForm):
    class Meta:
        model = DocumentType
        fields = ["name", "abbreviation", "symbol_has_year", "is_active"]


class MeasuresForm(forms.Form):
    start = DateField(label="Từ ngày", required=False)
    end = DateField(label="Đến ngày", required=False)
