"""Pages for incoming documents, the document page, tasks, search, measures and types (thin)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError, ValidationError
from egov.core.menu import work_counts
from egov.core.storage import file_response
from egov.core.views import found_or_404, paginate
from egov.documents import files, forms, panels, selectors, services, signatures
from egov.documents.extraction import ExtractionError, extract_metadata
from egov.documents.measures import document_measures
from egov.documents.models import Assignment, Document, DocumentFile, DocumentType
from egov.documents.outgoing import current_step
from egov.documents.services import Target
from egov.org.access import staff_required
from egov.org.models import Department, User
from egov.org.permissions import can
from egov.org.roles import Role


def _official_choices(agency, *, department=None, roles=None):
    users = User.objects.filter(official__agency=agency, is_active=True).select_related("official")
    if department is not None:
        users = users.filter(official__department=department)
    if roles:
        users = users.filter(official__role_assignments__role__in=roles).distinct()
    return [(f"u:{u.pk}", f"{u.display_name}{' - ' + u.official.position if u.official.position else ''}")
            for u in users.order_by("full_name")]


def assign_choices(agency):
    departments = [(f"d:{d.pk}", f"Phòng/ban: {d.name}") for d in Department.objects.filter(agency=agency)]
    return departments + _official_choices(agency)


def _target(value: str, role: str, agency) -> Target:
    kind, _, pk = (value or "").partition(":")
    if kind == "d":
        department = Department.objects.filter(pk=pk, agency=agency).first() if pk.isdigit() else None
        if department is None:
            raise ValidationError("Phòng ban không hợp lệ.")
        return Target(role, department=department)
    user = User.objects.filter(pk=pk).first() if pk.isdigit() else None
    if user is None:
        raise ValidationError("Người xử lý không hợp lệ.")
    return Target(role, user=user)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors) or "Dữ liệu không hợp lệ."


# --- incoming -------------------------------------------------------------------------------

@staff_required("documents.view")
def incoming_list(request):
    status = request.GET.get("trang_thai", "")
    documents = selectors.documents_list(request.user, direction=Document.Direction.INCOMING,
                                         status=status if status in Document.Status.values else "")
    return render(request, "documents/incoming_list.html", {
        "page": paginate(request, documents), "status": status, "today": timezone.localdate(),
        "statuses": [(Document.Status.REGISTERED, "Chờ phân công"), (Document.Status.IN_PROGRESS, "Đang xử lý"),
                     (Document.Status.DONE, "Đã xong")]})


def _prefill(upload: files.Upload) -> tuple[dict, list[str]]:
    """Initial form values read from the PDF's first page, and what could not be read."""
    meta = extract_metadata(upload.data)
    initial = {"number_symbol": meta.number_symbol or "", "issued_on": meta.issued_on,
               "issuer_name": (meta.issuer or "").title() if meta.issuer and meta.issuer.isupper() else (meta.issuer or ""),
               "summary": meta.summary or ""}
    if meta.document_type_code:
        initial["doc_type"] = DocumentType.objects.filter(code=meta.document_type_code).first()
    labels = {"number_symbol": "số, ký hiệu", "issued_on": "ngày ban hành", "issuer_name": "cơ quan ban hành",
              "summary": "trích yếu", "doc_type": "loại văn bản"}
    missing = [labels[k] for k in labels if not initial.get(k)]
    return initial, missing


@staff_required("documents.register")
def register(request):
    agency = request.user.official.agency
    if request.method == "POST":
        form = forms.IncomingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                uploads = [files.read_upload(f) for f in data["files"]]
                document = services.register_incoming(
                    actor=request.user, agency=agency, doc_type=data["doc_type"], summary=data["summary"],
                    number_symbol=data["number_symbol"], issued_on=data["issued_on"], issuer_name=data["issuer_name"],
                    signer_name=data["signer_name"], signer_position=data["signer_position"], urgency=data["urgency"],
                    confidentiality=data["confidentiality"], page_count=data["page_count"], due_on=data["due_on"],
                    uploads=uploads)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Đã vào sổ văn bản đến, số đến {document.register_number}.")
                return redirect(document)
        return render(request, "documents/register.html", {"form": form}, status=400)
    return render(request, "documents/register.html", {"form": forms.IncomingForm()})


@require_POST
@staff_required("documents.register")
def register_extract(request):
    """Read the first uploaded PDF and answer the form's metadata fields, prefilled (htmx), or
    the whole form without JavaScript (the clerk then chooses the file again)."""
    uploaded = request.FILES.getlist("files")
    notice, initial = "", {}
    if not uploaded:
        notice = "Chưa chọn tệp PDF."
    else:
        try:
            upload = files.read_upload(uploaded[0])
            initial, missing = _prefill(upload)
        except (DomainError, ExtractionError) as exc:
            notice = getattr(exc, "message", None) or str(exc)
        else:
            notice = ("Đã đọc thông tin từ tệp. Vui lòng kiểm tra lại trước khi vào sổ."
                      + (f" Chưa đọc được: {', '.join(missing)}." if missing else "")
                      + ("" if request.headers.get("HX-Request") else " Chọn lại tệp trước khi bấm “Vào sổ”."))
    form = forms.IncomingForm(initial=initial)
    template = "documents/_incoming_fields.html" if request.headers.get("HX-Request") else "documents/register.html"
    return render(request, template, {"form": form, "notice": notice, "prefilled": bool(initial)})


# --- the document page -------------------------------------------------------------------------

def _detail_context(request, document):
    user = request.user
    official = user.official
    assignments = list(document.assignments.select_related("assignee", "department", "assigned_by", "parent"))
    today = timezone.localdate()
    mine = [a for a in assignments if services.holds(user, a) and a.status != Assignment.Status.DONE
            and document.status in services.OPEN_INCOMING]
    for a in assignments:
        a.overdue = a.is_overdue(today)
        a.due_soon = selectors.is_overdue_soon(a, today)
    ctx = {
        "document": document, "assignments": assignments, "mine": mine,
        "files": document.files.all(), "notes": document.notes.select_related("author"),
        "timeline": selectors.timeline(document), "today": today,
        "recipients": document.recipients.select_related("agency", "delivered"),
        "review_steps": document.review_steps.select_related("reviewer"),
        "overdue": document.is_overdue(today),
    }
    if document.is_incoming:
        open_ = document.status in services.OPEN_INCOMING
        if open_ and can(user, "documents.assign", document.agency):
            ctx["assign_form"] = forms.AssignForm(choices=assign_choices(document.agency))
        if mine and official.department_id:
            ctx["reassign_form"] = forms.ReassignForm(prefix="reassign", choices=[
                c for c in _official_choices(document.agency, department=official.department) if c[0] != f"u:{user.pk}"])
        if open_ and (mine or can(user, "documents.assign", document.agency)):
            ctx["note_form"] = forms.NoteForm()
    else:
        step = current_step(document) if document.status == Document.Status.IN_REVIEW else None
        is_drafter = document.created_by_id == user.pk
        ctx.update({
            "is_drafter": is_drafter,
            "can_edit_draft": is_drafter and document.status == Document.Status.DRAFT,
            "version_form": forms.VersionForm(),
            "submit_form": forms.SubmitForm(choices=[
                c for c in _official_choices(document.agency, roles=(Role.LEADER, Role.SPECIALIST))
                if c[0] != f"u:{user.pk}"]),
            "review_form": forms.ReviewForm() if step and step.reviewer_id == user.pk else None,
            "can_approve": document.status == Document.Status.AWAITING_SIGNATURE and document.signer_id == user.pk
            and can(user, "documents.approve", document.agency),
            "approve_form": forms.ApproveForm(),
            "can_issue": document.status == Document.Status.APPROVED and can(user, "documents.issue", document.agency),
            "issue_form": forms.IssueForm(),
        })
        if ctx["can_approve"]:
            ctx["approval_mode"] = signatures.approval_mode(user, document)
        if ctx["can_issue"]:
            ctx["issue_mode"] = signatures.issue_mode(user, document.agency)
    return ctx


@staff_required("documents.view")
def detail(request, pk):
    document = _visible_or_404(request, pk)
    ctx = _detail_context(request, document)
    ctx["panels"] = panels.render_panels(request, document)
    return render(request, "documents/detail.html", ctx)


def _visible_or_404(request, pk):
    return found_or_404(selectors.get_visible_document, request.user, pk)


def _respond(request, document, *, ok: str | None = None, error: str | None = None):
    """htmx: the handling section again; otherwise back to the document page."""
    if request.headers.get("HX-Request"):
        document.refresh_from_db()
        ctx = _detail_context(request, document)
        ctx.update({"flash_ok": ok, "flash_error": error})
        # htmx swaps only 2xx answers; the error is shown inside the panel.
        return render(request, "documents/_handling.html", ctx)
    if ok:
        messages.success(request, ok)
    if error:
        messages.error(request, error)
    return redirect(document)


@require_POST
@staff_required("documents.assign")
def assign(request, pk):
    document = _visible_or_404(request, pk)
    form = forms.AssignForm(request.POST, choices=assign_choices(document.agency))
    if not form.is_valid():
        return _respond(request, document, error=_form_errors(form))
    data = form.cleaned_data
    try:
        targets = [_target(data["lead"], Assignment.Role.LEAD, document.agency)]
        targets += [_target(v, Assignment.Role.COOPERATE, document.agency) for v in data["cooperate"] if v != data["lead"]]
        targets += [_target(v, Assignment.Role.INFORM, document.agency) for v in data["inform"]]
        services.assign(actor=request.user, document=document, targets=targets, deadline=data["deadline"],
                        deadline_days=data["deadline_days"], instruction=data["instruction"])
    except DomainError as exc:
        return _respond(request, document, error=exc.message)
    return _respond(request, document, ok="Đã chuyển xử lý văn bản.")


def _own_assignment(request, pk) -> Assignment:
    assignment = get_object_or_404(Assignment.objects.select_related("document"), pk=pk)
    _visible_or_404(request, assignment.document_id)
    return assignment


@require_POST
@staff_required("documents.handle")
def reassign(request, pk):
    assignment = _own_assignment(request, pk)
    document = assignment.document
    official = request.user.official
    form = forms.ReassignForm(request.POST, prefix="reassign",
                              choices=_official_choices(document.agency, department=official.department))
    if not form.is_valid():
        return _respond(request, document, error=_form_errors(form))
    data = form.cleaned_data
    try:
        services.reassign(actor=request.user, assignment=assignment,
                          targets=[_target(data["assignee"], data["role"], document.agency)],
                          deadline=data["deadline"], instruction=data["instruction"])
    except DomainError as exc:
        return _respond(request, document, error=exc.message)
    return _respond(request, document, ok="Đã chuyển xử lý trong đơn vị.")


@require_POST
@staff_required("documents.handle")
def add_note(request, pk):
    document = _visible_or_404(request, pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _respond(request, document, error=_form_errors(form))
    mine = [a for a in document.assignments.exclude(status=Assignment.Status.DONE) if services.holds(request.user, a)]
    try:
        services.add_note(actor=request.user, document=document, text=form.cleaned_data["text"],
                          assignment=mine[0] if mine else None,
                          kind="progress" if mine else "opinion")
    except DomainError as exc:
        return _respond(request, document, error=exc.message)
    return _respond(request, document, ok="Đã ghi ý kiến.")


@require_POST
@staff_required("documents.handle")
def complete(request, pk):
    assignment = _own_assignment(request, pk)
    try:
        services.complete_assignment(actor=request.user, assignment=assignment, note=request.POST.get("note", ""))
    except DomainError as exc:
        return _respond(request, assignment.document, error=exc.message)
    return _respond(request, assignment.document, ok="Đã hoàn thành phần việc.")


@staff_required("documents.view")
def download(request, pk, file_pk):
    document = _visible_or_404(request, pk)
    row = get_object_or_404(DocumentFile, pk=file_pk, document=document)
    return file_response(row.file, filename=row.name, content_type=row.content_type, attachment=False)


# --- lists ------------------------------------------------------------------------------------

@staff_required("documents.handle")
def tasks(request):
    today = timezone.localdate()
    items = selectors.work_queue(request.user, today)
    counts = work_counts(request.user)
    elsewhere = [(label, counts[key], url) for key, label, url in (
        ("dossiers.tiep-nhan", "hồ sơ chờ tiếp nhận", f"{reverse('dossier-list')}?nhom=tiep-nhan"),
        ("dossiers.tra-ket-qua", "hồ sơ chờ trả kết quả", f"{reverse('dossier-list')}?nhom=tra-ket-qua"),
    ) if counts.get(key)]
    return render(request, "documents/tasks.html", {"items": items, "today": today, "elsewhere": elsewhere,
                                                    "overdue_count": sum(i.overdue for i in items)})


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_required("documents.view")
def search_page(request):
    agency = request.user.official.agency
    form = forms.SearchForm(request.GET or None, handlers=[(u.pk, u.display_name) for u in
                                                         User.objects.filter(official__agency=agency).order_by("full_name")])
    page = None
    if request.GET:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        filters = selectors.Filters(
            q=data.get("q", ""), direction=data.get("direction", ""), doc_type=data.get("doc_type", ""),
            issuer=data.get("issuer", ""), date_from=data.get("date_from"), date_to=data.get("date_to"),
            status=data.get("status", ""), handler=int(data["handler"]) if data.get("handler") else None)
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        page = selectors.search_documents(request.user, filters, page=number)
        params = request.GET.copy()
        params.pop("page", None)
        page.querystring = params.urlencode()
    return render(request, "documents/search.html", {"form": form, "page": page})


@staff_required("documents.measures")
def measures(request):
    form = forms.MeasuresForm(request.GET or None)
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    agency = request.user.official.agency
    return render(request, "documents/measures.html", {
        "form": form, "m": document_measures(agency, start, end), "agency": agency, "start": start, "end": end})


# --- document types ----------------------------------------------------------------------------

@staff_required("documents.manage_types")
def types(request):
    return render(request, "documents/types.html", {"types": DocumentType.objects.all()})


@staff_required("documents.manage_types")
def type_edit(request, pk):
    doc_type = get_object_or_404(DocumentType, pk=pk)
    form = forms.DocumentTypeForm(request.POST or None, instance=DocumentType.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_type(actor=request.user, doc_type=doc_type, name=data["name"],
                                 abbreviation=data["abbreviation"], symbol_has_year=data["symbol_has_year"],
                                 is_active=data["is_active"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã cập nhật loại văn bản.")
            return redirect("documents:types")
    return render(request, "documents/type_edit.html", {"form": form, "doc_type": doc_type})
