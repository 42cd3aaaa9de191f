"""Dossier pages: citizen filing and tracking, officers' lists, detail with actions, counter intake."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from egov.core.audit import history_of
from egov.core.errors import DomainError
from egov.core.limits import parse_id
from egov.core.menu import work_counts
from egov.core.ratelimit import RateLimited, client_key
from egov.core.registry import egov_modules
from egov.core.storage import file_response
from egov.core.views import citizen_required, paginate
from egov.dossiers import actions, eforms, pdfs, printed_forms, selectors, services, tracking, workflow
from egov.dossiers.forms import (
    CounterIntakeForm,
    OnlineFilingForm,
    StatsFilterForm,
)
from egov.dossiers.models import (
    BUCKETS,
    ApologyLetter,
    Dossier,
    DossierFile,
    ResultDocument,
    ReturnRecord,
    SupplementRequest,
)
from egov.dossiers.uploads import check_papers, collect_papers
from egov.org.access import staff_required
from egov.org.models import Agency
from egov.org.permissions import can, visible_agencies
from egov.procedures.models import Procedure

S = Dossier.Status


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# -- citizens ---------------------------------------------------------------------------------
@citizen_required
def file_start(request):
    """Nộp hồ sơ: a citizen or business starts by finding the procedure among those filed online."""
    return redirect(f"{reverse('procedure-list')}?online=1")


@citizen_required
def file_online(request, procedure_code):
    """Nộp hồ sơ trực tuyến: applicant details from the account, one upload per required paper."""
    procedure = get_object_or_404(Procedure, code=procedure_code, is_active=True)
    if not procedure.files_online:
        messages.error(request, "Thủ tục này không hỗ trợ nộp hồ sơ trực tuyến.")
        return redirect("home")
    draft = None
    if request.GET.get("nhap") or request.POST.get("draft_id"):
        draft = get_object_or_404(Dossier, pk=parse_id(request.GET.get("nhap") or request.POST.get("draft_id")),
                                  applicant=request.user, status=S.DRAFT, procedure=procedure)
    user = request.user
    initial = {"applicant_name": user.organization_name or user.full_name, "applicant_id_number": user.identity_number,
               "applicant_phone": user.phone or "", "applicant_email": user.email, "applicant_address": user.address}
    if draft:
        initial.update({f: getattr(draft, f) for f in services.APPLICANT_FIELDS}, agency=draft.agency_id)
    papers = list(procedure.papers.all())
    agencies = selectors.handling_agencies(procedure)
    if "agency" not in initial and len(agencies[:2]) == 1:
        initial["agency"] = agencies[0].pk
    form = OnlineFilingForm(request.POST or None, initial=initial, agencies=agencies)
    status = 200
    form_values = eforms.read_form(procedure, request.POST) if request.method == "POST" else None
    form_errors = {}
    if request.method == "POST":
        try:
            uploads, refused = check_papers(papers, request.FILES)
        except DomainError as exc:  # the malware scanner is down: nothing could be checked, nothing is kept
            uploads, refused = [], [exc]
        for error in refused:
            form.add_error(None, error.message)
        if form.is_valid() and not refused:
            data = form.cleaned_data
            try:
                if "draft" in request.POST:
                    dossier = services.save_draft(citizen=user, procedure=procedure, agency=data["agency"], data=data,
                                                  uploads=uploads, dossier=draft, form_values=form_values)
                    messages.success(request, "Đã lưu bản nháp hồ sơ.")
                    return redirect(f"{reverse('dossier-file', args=[procedure.code])}?nhap={dossier.pk}")
                dossier = services.submit_online(actor=user, procedure=procedure, agency=data["agency"], data=data,
                                                 uploads=uploads, idempotency_key=data.get("token") or "",
                                                 dossier=draft, form_values=form_values)
            except DomainError as exc:
                form.add_error(None, exc.message)
                form_errors = exc.details.get("fields") or {}
            else:
                messages.success(request, f"Đã nộp hồ sơ, mã hồ sơ {dossier.code}: dùng mã này để tra cứu. "
                                          "Cơ quan sẽ kiểm tra và tiếp nhận hồ sơ của bạn.")
                return redirect("dossier-mine-detail", pk=dossier.pk)
        draft = _keep_papers(request, procedure, form, uploads, draft, form_values) or draft
        status = 400
    uploaded = {f.paper_id: f for f in draft.files.all()} if draft else {}
    return render(request, "dossiers/file.html", {
        "procedure": procedure, "form": form, "draft": draft,
        "papers": [(p, uploaded.get(p.pk)) for p in papers],
        "eform": eforms.page_form(procedure, papers, values=form_values or (draft.form_data if draft else None) or None,
                                  errors=form_errors),
    }, status=status)


def _keep_papers(request, procedure, form, uploads, draft, form_values) -> Dossier | None:
    """After an error on the filing page, the papers that passed their checks are stored with the
    draft (created if need be), so the citizen does not pick them again; None when nothing is kept
    (no good upload, or no agency chosen yet to file the draft under)."""
    agency = form.cleaned_data.get("agency") if hasattr(form, "cleaned_data") else None
    if not uploads or agency is None:
        return None
    try:
        return services.save_draft(citizen=request.user, procedure=procedure, agency=agency, data=request.POST,
                                   uploads=uploads, dossier=draft, form_values=form_values)
    except DomainError:
        return None  # the page shows the first error; the files are simply not kept


@citizen_required
def my_dossiers(request):
    page = paginate(request, selectors.citizen_dossiers(request.user))
    return render(request, "dossiers/mine.html", {"page": page})


@citizen_required
def my_dossier(request, pk):
    dossier = _mine(request, pk)
    return render(request, "dossiers/mine_detail.html", {
        "dossier": dossier, "events": dossier.events.all(), "steps": dossier.steps.select_related("agency"),
        "files": dossier.files.all(), "results": dossier.results.all(),
        "supplement": dossier.supplements.filter(resumed_at__isnull=True).first(),
        "can_withdraw": dossier.status in (S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.WAITING_SUPPLEMENT,
                                           S.TRANSFERRED),
        "papers": dossier.procedure.papers.all(),
        "panels": _panels(request, dossier),
    })


def _panels(request, dossier) -> list[str]:
    """The boxes apps above dossiers add to the applicant's page (fees to pay online, ...): each
    app's `dossier_panels.panel(request, dossier)` gives its HTML, or "" for none."""
    return [html for module in egov_modules("dossier_panels") if (html := module.panel(request, dossier))]


def _mine(request, pk) -> Dossier:
    try:
        return selectors.get_citizen_dossier(request.user, pk)
    except DomainError:
        raise Http404 from None


@require_POST
@citizen_required
def resubmit(request, pk):
    dossier = _mine(request, pk)
    dossier.version = int(request.POST.get("version") or dossier.version)
    try:
        uploads = collect_papers(dossier.procedure.papers.all(), request.FILES)
        workflow.resubmit(dossier=dossier, citizen=request.user, uploads=uploads, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi bổ sung hồ sơ.")
    return redirect("dossier-mine-detail", pk=pk)


@require_POST
@citizen_required
def withdraw(request, pk):
    dossier = _mine(request, pk)
    dossier.version = int(request.POST.get("version") or dossier.version)
    try:
        services.withdraw(dossier=dossier, citizen=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã rút hồ sơ.")
    return redirect("dossier-mine-detail", pk=pk)


@citizen_required
def my_result(request, pk, result_id):
    """Download a result; the first download of a resolved dossier records the online return."""
    dossier = _mine(request, pk)
    result = get_object_or_404(ResultDocument, pk=result_id, dossier=dossier)
    if dossier.status in (S.APPROVED, S.REJECTED):
        try:
            workflow.return_result(dossier=dossier, actor=request.user, method=ReturnRecord.Method.ONLINE)
        except DomainError:
            pass  # someone returned it meanwhile; the file is still the citizen's
    return file_response(result.file, filename=f"ket-qua-{dossier.code}.pdf", content_type="application/pdf")


# -- public tracking --------------------------------------------------------------------------
def track(request, code=None):
    """Tra cứu hồ sơ: status and steps, no personal data."""
    code = code or request.GET.get("code", "").strip()
    if code:
        try:
            tracking.check_tracking_rate(client_key(request))
        except RateLimited as exc:
            return HttpResponse(tracking.render_page(request, code, None, refused=exc.message), status=429)
    result = selectors.track(code) if code else None
    if result is not None and not request.user.is_authenticated and not messages.get_messages(request):
        return HttpResponse(tracking.page_for_anonymous(request, code, result))
    return HttpResponse(tracking.render_page(request, code, result), status=404 if code and result is None else 200)


def track_redirect(request):
    code = request.GET.get("code", "").strip()
    # A slash cannot be in a dossier code nor in the code's URL: answer "not found" here.
    if code and "/" not in code:
        return redirect("dossier-track-code", code=code.upper())
    return track(request)


# -- staff ------------------------------------------------------------------------------------
@staff_required("dossier.view")
def dossier_list(request):
    params = request.GET
    f = {"status": params.get("trang-thai", ""), "procedure": params.get("thu-tuc", "").strip(),
         "overdue": params.get("qua-han", ""), "mine": params.get("cua-toi", ""), "q": params.get("q", ""),
         "incoming": params.get("lien-thong", ""), "group": params.get("nhom", ""), "due": params.get("han", "")}
    if f["group"] not in selectors.GROUPS:
        f["group"] = ""
    if f["group"]:
        f["mine"] = "1"
    dossiers = selectors.officer_dossiers(request.user, status=f["status"], procedure=f["procedure"],
                                          overdue=f["overdue"] == "1", query=f["q"], mine=f["mine"] == "1",
                                          incoming=f["incoming"] == "1", group=f["group"], due=f["due"])
    page = paginate(request, dossiers)
    can_accept = any(d.status == S.SUBMITTED for d in page) and can(request.user, "dossier.intake")
    groups = []
    if f["mine"] == "1":
        counts = work_counts(request.user)
        groups = [(key, label, counts.get(f"dossiers.{key}", 0)) for key, label in selectors.GROUPS.items()
                  if f"dossiers.{key}" in counts]
    return render(request, "dossiers/list.html", {
        "page": page, "statuses": S.choices, "f": f, "can_accept": can_accept, "groups": groups,
        "due_label": {selectors.DUE_TODAY: "Đến hạn hôm nay", selectors.DUE_SOON: "Đến hạn trong 2 ngày"}.get(f["due"], ""),
    })


@require_POST
@staff_required("dossier.intake")
def accept_many(request):
    """Tiếp nhận nhiều hồ sơ trực tuyến: each chosen dossier is accepted on its own (one taken by
    another officer meanwhile does not stop the others), then their receipts print as one PDF."""
    ids = [pk for pk in (parse_id(v) for v in request.POST.getlist("dossier")) if pk][:100]
    if not ids:
        messages.error(request, "Chưa chọn hồ sơ nào để tiếp nhận.")
        return redirect(request.POST.get("next") or reverse("dossier-list"))
    accepted, failed = services.accept_many(officer=request.user, dossiers=selectors.staff_dossiers(
        request.user).filter(pk__in=ids).select_related("agency", "procedure"))
    for dossier, message in failed:
        messages.error(request, f"{dossier.applicant_name}: {message}")
    if not accepted:
        return redirect(request.POST.get("next") or reverse("dossier-list"))
    messages.success(request, f"Đã tiếp nhận {len(accepted)} hồ sơ: {', '.join(d.code for d in accepted)}.")
    query = "&".join(f"id={d.pk}" for d in accepted)
    return render(request, "dossiers/accepted.html", {
        "accepted": accepted, "receipts_url": f"{reverse('dossier-receipts')}?{query}"})


@staff_required("dossier.view")
def receipts(request):
    """Giấy tiếp nhận của nhiều hồ sơ, one per page of a single PDF (after accepting several)."""
    ids = [pk for pk in (parse_id(v) for v in request.GET.getlist("id")) if pk][:100]
    # Received ones only, as the single receipt: an online dossier has its code before intake.
    dossiers = list(selectors.staff_dossiers(request.user).filter(pk__in=ids, due_at__isnull=False)
                    .select_related("agency", "procedure", "received_by").prefetch_related("files").order_by("code"))
    if not dossiers:
        raise Http404
    return _pdf(pdfs.receipts_pdf(dossiers), "giay-tiep-nhan.pdf")


def _staff_dossier(request, pk) -> Dossier:
    try:
        return selectors.get_staff_dossier(request.user, pk)
    except DomainError:
        raise Http404 from None


@staff_required("dossier.view")
def dossier_detail(request, pk):
    dossier = _staff_dossier(request, pk)
    allowed = actions.allowed_actions(request.user, dossier)
    options = actions.handler_options(request.user, dossier, allowed)
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "actions": [(name, actions.LABELS[name], options.get(name)) for name in allowed],
        "allowed": set(allowed),
        "result_signing": actions.result_signing(request.user, dossier) if "attach_result" in allowed else "", "steps": dossier.steps.select_related("agency", "finished_by"),
        "events": dossier.events.all(), "files": dossier.files.all(), "results": dossier.results.all(),
        "supplements": dossier.supplements.all(), "apologies": dossier.apologies.all(),
        "return_record": ReturnRecord.objects.filter(dossier=dossier).first(),
        "history": history_of(dossier), "overdue": dossier.is_overdue(),
        "transfer_agencies": Agency.objects.filter(is_active=True).exclude(pk=dossier.agency_id).only("code", "name"),
    })


@require_POST
@staff_required("dossier.view")
def dossier_act(request, pk):
    dossier = _staff_dossier(request, pk)
    action = request.POST.get("action", "")
    try:
        dossier.version = int(request.POST.get("version") or dossier.version)
    except ValueError:
        pass
    try:
        outcome = actions.perform(dossier=dossier, actor=request.user, action=action, data=request.POST,
                                  files=request.FILES)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if action == "attach_result" and actions.flag(request.POST.get("sign")):
            messages.success(request, "Đã ký số và đính kèm kết quả giải quyết.")
        else:
            messages.success(request, f"Đã thực hiện: {actions.LABELS.get(action, action)}.")
        if isinstance(outcome, ApologyLetter):
            return redirect("dossier-apology-pdf", pk=pk, letter_id=outcome.pk)
    return redirect("dossier-detail", pk=pk)


@staff_required("dossier.view")
def receipt(request, pk):
    dossier = _staff_dossier(request, pk)
    if not dossier.due_at:  # not received (an online dossier has its code before intake)
        raise Http404
    return _pdf(pdfs.receipt_pdf(dossier), f"giay-tiep-nhan-{dossier.code}.pdf")


@staff_required("dossier.view")
def apology_pdf(request, pk, letter_id):
    dossier = _staff_dossier(request, pk)
    letter = get_object_or_404(ApologyLetter.objects.select_related("dossier__agency", "dossier__procedure"),
                               pk=letter_id, dossier=dossier)
    return _pdf(pdfs.apology_pdf(letter), f"phieu-xin-loi-{dossier.code}.pdf")


@staff_required("dossier.view")
def control_pdf(request, pk):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: every step, who, when, on time or late."""
    dossier = _staff_dossier(request, pk)
    if not dossier.due_at:  # not received (an online dossier has its code before intake)
        raise Http404
    return _pdf(printed_forms.control_pdf(dossier), f"phieu-kiem-soat-{dossier.code}.pdf")


@staff_required("dossier.view")
def supplement_pdf(request, pk, supplement_id):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ of one supplement request of the dossier."""
    dossier = _staff_dossier(request, pk)
    supplement = get_object_or_404(SupplementRequest.objects.select_related("requested_by"), pk=supplement_id,
                                   dossier=dossier)
    supplement.dossier = dossier
    return _pdf(printed_forms.supplement_pdf(printed_forms.dossier_supplement_slip(supplement)),
                f"phieu-bo-sung-{dossier.code or dossier.pk}.pdf")


@staff_required("dossier.view")
def refusal_pdf(request, pk):
    """Phiếu từ chối tiếp nhận, giải quyết hồ sơ of a refused dossier."""
    dossier = _staff_dossier(request, pk)
    if dossier.status != S.REFUSED:
        raise Http404
    return _pdf(printed_forms.refusal_pdf(dossier), f"phieu-tu-choi-{dossier.code or dossier.pk}.pdf")


def paper_download(request, pk, file_id):
    """A paper of the dossier, for its owner or the staff who may see the dossier."""
    if not request.user.is_authenticated:
        raise Http404
    if request.user.is_official:
        dossier = _staff_dossier(request, pk)
    else:
        dossier = _mine(request, pk)
    paper = get_object_or_404(DossierFile, pk=file_id, dossier=dossier)
    return file_response(paper.file, filename=f"{paper.pk}{paper.file.name[-4:]}", content_type=paper.content_type)


@staff_required("dossier.view")
def result_download(request, pk, result_id):
    dossier = _staff_dossier(request, pk)
    result = get_object_or_404(ResultDocument, pk=result_id, dossier=dossier)
    return file_response(result.file, filename=f"ket-qua-{dossier.code}.pdf", content_type="application/pdf")


INTAKE_INTENTS = ("accept", "supplement", "refuse")


@staff_required("dossier.intake")
def counter_intake(request):
    """Tiếp nhận hồ sơ trực tiếp: pick the procedure, enter the applicant, scan the papers; then
    receive the dossier, or hand the applicant the printed request to supplement or complete it
    (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ) or the refusal (phiếu từ chối tiếp nhận)."""
    agency = request.user.official.agency
    procedures = selectors.procedures_received_by(agency).order_by("name").only("code", "name")
    code = request.POST.get("procedure") or request.GET.get("thu-tuc", "")
    procedure = procedures.filter(code=code).first() if code else None
    form = CounterIntakeForm(request.POST or None) if procedure else None
    intent = request.POST.get("intent", "accept")
    status = 200
    if request.method == "POST" and procedure and intent in INTAKE_INTENTS:
        if form.is_valid():
            try:
                if intent == "supplement":
                    missing = request.POST.getlist("missing") + request.POST.get("missing_other", "").splitlines()
                    slip = services.supplement_at_counter(officer=request.user, procedure=procedure,
                                                          data=form.cleaned_data, missing=missing,
                                                          note=request.POST.get("reason", ""))
                    return _pdf(printed_forms.supplement_pdf(slip), "phieu-yeu-cau-bo-sung.pdf")
                if intent == "refuse":
                    dossier = services.refuse_at_counter(officer=request.user, procedure=procedure,
                                                         data=form.cleaned_data, reason=request.POST.get("reason", ""))
                    messages.success(request, "Đã từ chối tiếp nhận hồ sơ. In phiếu từ chối cho người nộp.")
                    return redirect("dossier-detail", pk=dossier.pk)
                uploads = collect_papers(procedure.papers.all(), request.FILES)
                dossier = services.register_at_counter(officer=request.user, procedure=procedure,
                                                       data=form.cleaned_data, uploads=uploads,
                                                       idempotency_key=form.cleaned_data.get("token") or "")
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}.")
                return redirect("dossier-detail", pk=dossier.pk)
        status = 400
    return render(request, "dossiers/intake.html", {
        "procedures": procedures[:500], "procedure": procedure, "form": form,
        "papers": procedure.papers.all() if procedure else [],
        "missing_checked": set(request.POST.getlist("missing")), "reason": request.POST.get("reason", ""),
        "missing_other": request.POST.get("missing_other", ""),
    }, status=status)


@staff_required("dossier.stats")
def stats(request):
    agencies = visible_agencies(request.user)
    form = StatsFilterForm(request.GET or None, agencies=agencies)
    figures, agency, procedure = None, None, None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        agency = data.get("agency") or (None if can(request.user, "org.manage_agencies")
                                        else request.user.official.agency)
        procedure = Procedure.objects.filter(code=data["procedure"]).first() if data.get("procedure") else None
        figures = selectors.dossier_stats(agency=agency, procedure=procedure, date_from=data.get("date_from"),
                                          date_to=data.get("date_to"))
    rows = [(label, figures[key]) for key, label in STAT_LABELS] if figures else []
    if figures and figures["carried_over"] is not None:
        # The backlog the period started with: shown before the period's own figures, not among them.
        rows.insert(0, ("Kỳ trước chuyển qua", figures["carried_over"]))
    return render(request, "dossiers/stats.html", {"form": form, "figures": figures, "rows": rows,
                                                   "agency": agency, "procedure": procedure})


STAT_LABELS = [
    ("received", "Tổng số hồ sơ tiếp nhận"),
    ("online", "— Nộp trực tuyến"),
    ("counter", "— Nộp trực tiếp"),
    *((bucket.name, bucket.label) for bucket in BUCKETS),
    ("returned", "Đã trả kết quả"),
]
