"""Pages for outgoing documents: drafting, review, approval, issuing (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError, ValidationError
from egov.core.views import paginate
from egov.documents import directory, files, forms, outgoing, selectors, services, signatures
from egov.documents.models import Document
from egov.documents.views import _form_errors, _visible_or_404
from egov.org.access import staff_required
from egov.org.models import Agency, User
from egov.org.permissions import can
from egov.org.roles import Role

DRAFT_TYPES = (files.PDF, files.DOCX)
NO_AGENCY_SIGNATURE = ("Văn bản được phát hành không có chữ ký số của cơ quan vì cơ quan chưa có chứng thư số "
                       "còn hiệu lực (hoặc bạn không được dùng chứng thư số của cơ quan).")


@staff_required("documents.view")
def outgoing_list(request):
    status = request.GET.get("trang_thai", "")
    documents = selectors.documents_list(request.user, direction=Document.Direction.OUTGOING,
                                         status=status if status in Document.Status.values else "")
    statuses = [(s, Document.Status(s).label) for s in (Document.Status.DRAFT, Document.Status.IN_REVIEW,
                                                        Document.Status.AWAITING_SIGNATURE, Document.Status.APPROVED,
                                                        Document.Status.ISSUED)]
    return render(request, "documents/outgoing_list.html", {"page": paginate(request, documents), "status": status,
                                                            "statuses": statuses})


def _draft_form(request, data=None, files_=None):
    agency = request.user.official.agency
    signers = [(u.pk, f"{u.display_name} - {u.official.position}") for u in
               User.objects.filter(official__agency=agency, official__role_assignments__role=Role.LEADER)
               .select_related("official").distinct().order_by("full_name")]
    agencies = [(a.pk, a.name) for a in Agency.objects.filter(is_active=True).exclude(pk=agency.pk).order_by("path")[:500]]
    return forms.DraftForm(data, files_, signers=signers, agencies=agencies,
                           remote_agencies=directory.remote_agencies())


@staff_required("documents.draft")
def draft(request):
    if request.method != "POST":
        return render(request, "documents/draft.html", {"form": _draft_form(request)})
    form = _draft_form(request, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            upload = files.read_upload(data["file"], allowed=DRAFT_TYPES) if data["file"] else None
            document = services.create_draft(
                actor=request.user, doc_type=data["doc_type"], summary=data["summary"],
                signer=User.objects.filter(pk=data["signer"]).first(), upload=upload,
                recipients=list(Agency.objects.filter(pk__in=data["recipients"])),
                external_recipients=form.external_recipients(), remote_recipients=form.remote_recipients(),
                urgency=data["urgency"],
                confidentiality=data["confidentiality"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã tạo dự thảo văn bản đi.")
            return redirect(document)
    return render(request, "documents/draft.html", {"form": form}, status=400)


def _act(request, document, action, ok: str):
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect(document)


@require_POST
@staff_required("documents.draft")
def add_version(request, pk):
    document = _visible_or_404(request, pk)
    form = forms.VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(document)
    return _act(request, document, lambda: services.add_draft_version(
        actor=request.user, document=document, upload=files.read_upload(form.cleaned_data["file"], allowed=DRAFT_TYPES),
        note=form.cleaned_data["note"]), "Đã cập nhật phiên bản dự thảo.")


@require_POST
@staff_required("documents.draft")
def submit(request, pk):
    document = _visible_or_404(request, pk)
    # Reviewers in list order (the order the browser sends ticked boxes).
    ids = [v.partition(":")[2] for v in request.POST.getlist("reviewers")]
    by_id = {str(u.pk): u for u in User.objects.filter(pk__in=[i for i in ids if i.isdigit()])}
    reviewers = [by_id[i] for i in ids if i in by_id]
    return _act(request, document, lambda: services.submit_for_review(actor=request.user, document=document,
                                                                      reviewers=reviewers), "Đã trình dự thảo.")


@require_POST
@staff_required("documents.review")
def review(request, pk):
    document = _visible_or_404(request, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(document)
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, document, lambda: services.review_draft(
        actor=request.user, document=document, approve=approve, comment=form.cleaned_data["comment"]),
        "Đã cho ý kiến đồng ý." if approve else "Đã trả lại dự thảo.")


@require_POST
@staff_required("documents.approve")
def approve(request, pk):
    """The signing leader approves. With an active personal certificate the approval is their
    digital signature ("Ký số và phê duyệt"); without one it is a recorded approval, and the page
    said so. Any refusal (signing errors included) changes nothing."""
    document = _visible_or_404(request, pk)
    form = forms.ApproveForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(document)
    wants_signature = request.POST.get("sign") == "1"

    def action():
        final = files.read_upload(form.cleaned_data["final_pdf"]) if form.cleaned_data["final_pdf"] else None
        comment = form.cleaned_data["comment"]
        if wants_signature:
            outgoing.sign_outgoing_document(actor=request.user, document=document, pdf=final.data if final else None,
                                   comment=comment)
        elif signatures.approval_mode(request.user, document) == "sign":
            raise ValidationError("Bạn có chứng thư số còn hiệu lực nên phê duyệt văn bản là ký số: "
                                  "hãy dùng “Ký số và phê duyệt”.", code="signature_required")
        else:
            services.approve_outgoing(actor=request.user, document=document, final_pdf=final, comment=comment)

    return _act(request, document, action, "Đã ký số và phê duyệt văn bản." if wants_signature
                else "Đã phê duyệt văn bản (không có chữ ký số).")


@require_POST
@staff_required("documents.approve")
def return_draft(request, pk):
    document = _visible_or_404(request, pk)
    return _act(request, document, lambda: services.return_to_drafter(
        actor=request.user, document=document, comment=request.POST.get("comment", "")), "Đã trả lại dự thảo.")


@require_POST
@staff_required("documents.issue")
def issue(request, pk):
    """The clerk issues: with the agency's digital signature when the agency holds an active
    organisation certificate (added as an incremental update: the leader's signature stays
    valid), otherwise without it, with a notice. Any refusal changes nothing."""
    document = _visible_or_404(request, pk)
    form = forms.IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(document)
    mode = signatures.issue_mode(request.user, document.agency)
    result = {}

    def action():
        issued_on = form.cleaned_data["issued_on"]
        if mode == "sign":
            result["doc"] = outgoing.issue_signed_document(actor=request.user, document=document, issued_on=issued_on)
        else:
            result["doc"] = services.issue_outgoing(actor=request.user, document=document, issued_on=issued_on)

    response = _act(request, document, action,
                    "Đã ký số của cơ quan và phát hành văn bản." if mode == "sign" else "Đã phát hành văn bản.")
    if "doc" in result:
        messages.info(request, f"Số, ký hiệu: {result['doc'].number_symbol}.")
        if mode != "sign":
            messages.warning(request, NO_AGENCY_SIGNATURE)
    return response


@staff_required("documents.review")
def approvals(request):
    awaiting = selectors.awaiting_signature(request.user)
    return render(request, "documents/approvals.html", {
        "reviews": selectors.reviews_waiting(request.user), "signatures": awaiting,
        "approval_mode": signatures.approval_mode(request.user, None)
        if can(request.user, "documents.approve", request.user.official.agency) else ""})


@staff_required("documents.issue")
def issue_queue(request):
    return render(request, "documents/issue_queue.html", {
        "documents": selectors.awaiting_issue(request.user),
        "issue_mode": signatures.issue_mode(request.user, request.user.official.agency)})
