"""Officials' feedback pages (phản ánh, kiến nghị — cán bộ): the queues, one feedback with the
actions its state and the official's roles allow, moderation, the ban list and the fields.

Every action is a POST to one address naming it; the services decide (permission, state), and a
feedback another official moved on meanwhile is answered with a message, never an error page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from egov.core.audit import history_of
from egov.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from egov.core.limits import parse_id
from egov.core.menu import work_counts
from egov.core.storage import file_response
from egov.core.text import fold
from egov.core.views import forbidden, found_or_404, paginate
from egov.dossiers.planning import is_late
from egov.feedback import duplicates, moderation, privacy, selectors, services, services_settings
from egov.feedback import forms_staff as forms
from egov.feedback.models import Ban, Feedback, FeedbackAnswer, FeedbackField, FeedbackFile
from egov.org.access import staff_required
from egov.org.models import User
from egov.org.permissions import can
from egov.org.roles import Role

S = Feedback.Status

# The queues (selectors.queue parts), in the order a feedback moves through them.
TABS = {
    "phan-loai": "Chờ phân loại",
    "xu-ly": "Đang xử lý của tôi",
    "duyet": "Chờ duyệt",
    "qua-han": "Quá hạn",
}


def is_overdue(feedback: Feedback, now=None) -> bool:
    """Overdue (quá hạn) as for dossiers: still with an agency after its due day, or escalated."""
    if feedback.status not in (S.ASSIGNED, S.REVIEW):
        return False
    return bool(feedback.escalated_at or (feedback.due_at and is_late(feedback.due_at, now or timezone.now())))


# -- the list ---------------------------------------------------------------------------------
@staff_required("feedback.view")
def feedback_list(request):
    params = request.GET
    f = {"tab": params.get("hang", ""), "status": params.get("trang-thai", ""), "field": params.get("linh-vuc", ""),
         "q": params.get("q", "").strip()[:100]}
    counts = work_counts(request.user)
    tabs = [(key, label, counts.get(f"feedback.{key}", 0)) for key, label in TABS.items()
            if f"feedback.{key}" in counts]
    if f["tab"] not in {key for key, _, _ in tabs}:
        f["tab"] = ""
    items = selectors.queue(request.user, f["tab"]) if f["tab"] else selectors.visible(request.user)
    if f["status"] in dict(forms.STATUS_CHOICES):
        items = items.filter(status=f["status"])
    else:
        f["status"] = ""
    if f["field"]:
        items = items.filter(field__code=f["field"])
    if f["q"]:
        items = items.filter(Q(search_folded__contains=fold(f["q"])) | Q(code__iexact=f["q"]))
    page = paginate(request, items.select_related("field", "agency", "handler"))
    now = timezone.now()
    for item in page:
        item.overdue = is_overdue(item, now)
    return render(request, "feedback/staff/list.html", {
        "page": page, "f": f, "tabs": tabs, "statuses": forms.STATUS_CHOICES,
        "fields": FeedbackField.objects.only("code", "name"),
        "title": dict(TABS).get(f["tab"], "Phản ánh, kiến nghị"),
    })


# -- one feedback -----------------------------------------------------------------------------
def _feedback(request, pk) -> Feedback:
    return found_or_404(selectors.for_staff, request.user, pk)


def _handlers(feedback: Feedback):
    """Who a leader may give the feedback to: the holding agency's specialists and leaders."""
    return (User.objects.filter(is_active=True, official__agency=feedback.agency_id,
                                official__role_assignments__role__in=(Role.SPECIALIST, Role.LEADER))
            .distinct().order_by("full_name"))


def allowed_actions(user, feedback: Feedback) -> list[str]:
    """The actions the page offers `user` on `feedback` now (the services check them again)."""
    at = feedback.agency

    def may(permission):
        return can(user, permission, at)

    allowed = []
    if feedback.status == S.NEW and may("feedback.route"):
        allowed += ["route", "close", "duplicate"]
    if feedback.status == S.ASSIGNED:
        if may("feedback.handle"):
            allowed += ["draft", "transfer", "send_back"]
        if may("feedback.approve"):
            allowed += ["assign", "close", "duplicate"]
    if feedback.status == S.REVIEW and may("feedback.approve"):
        allowed += ["approve", "return"]
    if feedback.status != S.PENDING and may("feedback.moderate"):
        allowed += ["unhide" if feedback.is_hidden else "hide", "redact"]
        if not feedback.is_private:
            allowed.append("private")
        if feedback.status == S.ANSWERED and _approved(feedback) is not None:
            allowed.append("redact_answer")
    return allowed


LABELS = {
    "route": "Phân loại, chuyển cơ quan có thẩm quyền",
    "draft": "Dự thảo trả lời",
    "assign": "Giao chuyên viên xử lý",
    "transfer": "Chuyển cơ quan khác",
    "send_back": "Trả lại bộ phận tiếp nhận",
    "close": "Đóng phản ánh",
    "duplicate": "Đánh dấu trùng",
    "approve": "Duyệt trả lời",
    "return": "Trả lại dự thảo",
    "hide": "Ẩn phản ánh",
    "unhide": "Bỏ ẩn phản ánh",
    "redact": "Che thông tin",
    "private": "Chuyển thành riêng tư",
    "hide_file": "Ẩn tệp",
    "redact_answer": "Che thông tin trong trả lời công khai",
}
MODERATION = ("hide", "unhide", "redact", "private", "hide_file", "redact_answer")
# How the moderation history names what was done (moderation.Action values).
REDACTION_LABELS = {"hide": "Ẩn phản ánh", "unhide": "Bỏ ẩn phản ánh", "redact": "Che thông tin",
                    "redact_answer": "Che thông tin trong trả lời công khai", "hide_file": "Ẩn tệp",
                    "private": "Chuyển thành riêng tư"}
REDACTED_FIELDS = {"subject": "tiêu đề", "content": "nội dung", "address": "địa chỉ", "file": "tệp",
                   "answer.public_text": "trả lời công khai"}


def _draft(feedback: Feedback) -> FeedbackAnswer | None:
    return feedback.answers.filter(status=FeedbackAnswer.Status.DRAFT).first()


def _approved(feedback: Feedback) -> FeedbackAnswer | None:
    return feedback.answers.filter(status=FeedbackAnswer.Status.APPROVED).first()


def _form(name: str, feedback: Feedback, data=None, files=None):
    """The form of action `name`, bound to `data` or with the page's initial values."""
    prefix = name
    if name == "route":
        initial = {"field": feedback.field_id, "agency": feedback.suggested_agency_id}
        return forms.RouteForm(data, prefix=prefix, initial=initial)
    if name == "close":
        return forms.CloseForm(data, prefix=prefix)
    if name == "duplicate":
        return forms.DuplicateForm(data, prefix=prefix)
    if name == "assign":
        return forms.AssignForm(data, prefix=prefix, handlers=_handlers(feedback),
                                initial={"handler": feedback.handler_id})
    if name == "transfer":
        return forms.TransferForm(data, prefix=prefix, exclude=feedback.agency_id)
    if name in ("send_back", "hide", "unhide", "private"):
        return forms.ReasonForm(data, prefix=prefix)
    if name == "return":
        return forms.NoteForm(data, prefix=prefix)
    if name == "draft":
        returned = feedback.answers.filter(status=FeedbackAnswer.Status.RETURNED).first()
        return forms.DraftForm(data, files, prefix=prefix, initial={"text": returned.text if returned else ""})
    if name == "approve":
        draft = _draft(feedback)
        initial = {"publish": feedback.publish_consent and not feedback.is_private and not feedback.is_hidden,
                   "public_text": privacy.redact(draft.text, feedback) if draft else ""}
        form = forms.ApproveForm(data, prefix=prefix, initial=initial)
        if not initial["publish"]:  # approve_answer would not publish it anyway: say why
            form.fields["publish"].disabled = True
            form.fields["publish"].help_text = (
                "Người gửi không đồng ý công khai, hoặc phản ánh đang ẩn hay riêng tư: "
                "câu trả lời chỉ gửi đến người gửi.")
        return form
    if name == "redact":
        return forms.RedactForm(data, prefix=prefix, initial={"field_name": "content", "text": feedback.content})
    if name == "hide_file":
        return forms.HideFileForm(data, prefix=prefix)
    if name == "redact_answer":
        answer = _approved(feedback)
        return forms.RedactAnswerForm(data, prefix=prefix, initial={"text": answer.public_text if answer else ""})
    raise NotFound("Thao tác không hợp lệ.")


@staff_required("feedback.view")
def feedback_detail(request, pk):
    feedback = _feedback(request, pk)
    allowed = allowed_actions(request.user, feedback)
    files = list(feedback.files.all())
    moderator = "hide" in allowed or "unhide" in allowed
    return render(request, "feedback/staff/detail.html", {
        "feedback": feedback, "overdue": is_overdue(feedback),
        "actions": [(name, LABELS[name], _form(name, feedback)) for name in allowed if name not in MODERATION],
        "moderation": [(name, LABELS[name], _form(name, feedback)) for name in allowed if name in MODERATION],
        "sender_files": [f for f in files if f.answer_id is None],
        "answer_files": {f.answer_id: f for f in files if f.answer_id},
        "answers": feedback.answers.select_related("drafted_by", "decided_by"),
        "events": selectors.history(feedback), "history": history_of(feedback),
        "redactions": [(r, REDACTION_LABELS.get(r.action, r.action), REDACTED_FIELDS.get(r.field_name, r.field_name))
                       for r in feedback.redactions.select_related("by")] if moderator else (),
        "can_hide_files": moderator, "hide_file_form": forms.HideFileForm(prefix="hide_file") if moderator else None,
        "ratings": feedback.ratings.all(),
        # Reports like this one at the same place: the likely originals of a duplicate.
        "similar": duplicates.similar(subject=feedback.subject, content=feedback.content, unit=feedback.unit_id,
                                      address=feedback.address, exclude=feedback) if "duplicate" in allowed else (),
    })


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Dữ liệu không hợp lệ."


def _perform(request, feedback: Feedback, name: str, data: dict) -> str:
    """Run one action with its form's cleaned data; returns the success message."""
    user = request.user
    if name == "route":
        services.route(user, feedback, field=data["field"], agency=data["agency"], note=data["note"],
                       days=data["days"])
        return f"Đã chuyển phản ánh đến {data['agency'].name}."
    if name == "close":
        services.close(user, feedback, reason=data["reason"], not_competent=data["not_competent"])
        return "Đã đóng phản ánh."
    if name == "duplicate":
        code = data["original"].strip().upper()
        original = selectors.visible(user).filter(code=code).exclude(pk=feedback.pk).first()
        if original is None:
            raise ValidationError(f"Không tìm thấy phản ánh {code}.")
        services.mark_duplicate(user, feedback, original)
        return f"Đã đánh dấu trùng với phản ánh {original.code}."
    if name == "assign":
        services.assign_handler(user, feedback, data["handler"])
        return f"Đã giao {data['handler'].display_name} xử lý."
    if name == "transfer":
        services.transfer(user, feedback, agency=data["agency"], reason=data["reason"])
        return f"Đã chuyển phản ánh đến {data['agency'].name}."
    if name == "send_back":
        services.send_back(user, feedback, reason=data["reason"])
        return "Đã trả lại bộ phận tiếp nhận."
    if name == "draft":
        upload = data.get("file")
        services.draft_answer(user, feedback, text=data["text"], files=[upload] if upload else ())
        return "Đã gửi dự thảo trả lời cho lãnh đạo duyệt."
    if name == "approve":
        answer = services.approve_answer(user, feedback, public_text=data["public_text"] or None,
                                         publish=data["publish"])
        return "Đã duyệt và công khai câu trả lời." if answer.is_published else "Đã duyệt câu trả lời."
    if name == "return":
        services.return_answer(user, feedback, note=data["note"])
        return "Đã trả lại dự thảo cho chuyên viên."
    if name == "hide":
        moderation.hide(user, feedback, reason=data["reason"])
        return "Đã ẩn phản ánh."
    if name == "unhide":
        moderation.unhide(user, feedback, reason=data["reason"])
        return "Đã bỏ ẩn phản ánh."
    if name == "private":
        moderation.make_private(user, feedback, reason=data["reason"])
        return "Đã chuyển phản ánh thành riêng tư."
    if name == "redact":
        moderation.redact(user, feedback, field_name=data["field_name"], text=data["text"], reason=data["reason"])
        return "Đã che thông tin."
    if name == "hide_file":
        file = feedback.files.filter(pk=data["file"]).first()
        if file is None:
            raise NotFound("Không tìm thấy tệp.")
        moderation.hide_file(user, file, reason=data["reason"])
        return "Đã ẩn tệp."
    if name == "redact_answer":
        answer = _approved(feedback)
        if answer is None:
            raise NotFound("Phản ánh chưa có câu trả lời đã duyệt.")
        moderation.redact_answer(user, answer, text=data["text"], reason=data["reason"])
        return "Đã che thông tin trong trả lời công khai."
    raise NotFound("Thao tác không hợp lệ.")


@require_POST
@staff_required("feedback.view")
def feedback_act(request, pk):
    feedback = _feedback(request, pk)
    name = request.POST.get("action", "")
    if name not in LABELS:
        messages.error(request, "Thao tác không hợp lệ.")
        return redirect("feedback-staff-detail", pk=pk)
    try:
        form = _form(name, feedback, request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_first_error(form))
        message = _perform(request, feedback, name, form.cleaned_data)
    except PermissionDenied as exc:  # a forged or outdated form: the page never offers it to this role
        return forbidden(request, exc.message)
    except DomainError as exc:
        # A stale page (another official acted first) lands here as a StateError: say so.
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
        # Routed, transferred or sent back: the feedback left the official's agency, back to the queue.
        if not selectors.visible(request.user).filter(pk=feedback.pk).exists():
            return redirect("feedback-staff-list")
    return redirect("feedback-staff-detail", pk=pk)


@staff_required("feedback.view")
def feedback_file(request, pk, file_id):
    """A file of the feedback or of its answer, for the officials who may see the feedback."""
    feedback = _feedback(request, pk)
    item = get_object_or_404(FeedbackFile, pk=file_id, feedback=feedback)
    inline = item.content_type in ("image/jpeg", "image/png", "application/pdf")
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(item.content_type, "")
    return file_response(item.file, filename=f"phan-anh-{feedback.code}-{item.pk}{extension}",
                         content_type=item.content_type, attachment=not inline)


# -- the ban list -----------------------------------------------------------------------------
@staff_required("feedback.moderate")
def ban_list(request):
    form = forms.BanForm(request.POST or None, prefix="ban")
    if request.method == "POST":
        if request.POST.get("remove"):
            ban = get_object_or_404(Ban, pk=parse_id(request.POST["remove"]))
            try:
                moderation.unban(request.user, ban)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Đã bỏ chặn {ban.value}.")
            return redirect("feedback-bans")
        if form.is_valid():
            data = form.cleaned_data
            until = None
            if data["until"]:  # banned through the whole of that day
                until = timezone.make_aware(dt.datetime.combine(data["until"], dt.time.max))
            try:
                moderation.ban(request.user, kind=data["kind"], value=data["value"], reason=data["reason"],
                               until=until)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Đã chặn {data['value']}.")
                return redirect("feedback-bans")
    q = request.GET.get("q", "").strip()[:100]
    bans = Ban.objects.select_related("created_by")
    if q:
        bans = bans.filter(value__icontains=q)
    return render(request, "feedback/staff/bans.html", {
        "form": form, "page": paginate(request, bans), "q": q, "now": timezone.now(),
        # Bans apply everywhere, so the receiving office decides them; others read the list.
        "can_ban": can(request.user, "feedback.moderate", selectors.receiving_office()),
    }, status=400 if form.errors else 200)


# -- the fields -------------------------------------------------------------------------------
@staff_required("feedback.settings")
def field_list(request):
    form = forms.FieldForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = services_settings.create_field(request.user, code=data["code"], name=data["name"],
                                                   handling_days=data["handling_days"], order=data["order"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm lĩnh vực {field.name}.")
            return redirect("feedback-fields")
    return render(request, "feedback/staff/fields.html", {
        "form": form, "fields": FeedbackField.objects.all(),
    }, status=400 if form.errors else 200)


@staff_required("feedback.settings")
def field_edit(request, pk):
    field = get_object_or_404(FeedbackField, pk=pk)
    initial = {"name": field.name, "handling_days": field.handling_days, "order": field.order,
               "is_active": field.is_active}
    form = forms.FieldForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_settings.update_field(request.user, field, name=data["name"],
                                           handling_days=data["handling_days"], is_active=data["is_active"],
                                           order=data["order"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã cập nhật lĩnh vực {data['name']}.")
            return redirect("feedback-fields")
    return render(request, "feedback/staff/field_edit.html", {"form": form, "field": field},
                  status=400 if form.errors else 200)


urlpatterns = [
    path("", feedback_list, name="feedback-staff-list"),
    path("chan/", ban_list, name="feedback-bans"),
    path("linh-vuc/", field_list, name="feedback-fields"),
    path("linh-vuc/<int:pk>/", field_edit, name="feedback-field-edit"),
    path("<int:pk>/", feedback_detail, name="feedback-staff-detail"),
    path("<int:pk>/thao-tac/", feedback_act, name="feedback-staff-act"),
    path("<int:pk>/tep/<int:file_id>/", feedback_file, name="feedback-staff-file"),
]
