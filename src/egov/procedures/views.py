"""Public catalogue pages and the staff pages that manage procedures and their processes."""

from __future__ import annotations

import io
import json
import mimetypes

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError, PermissionDenied
from egov.core.storage import file_response
from egov.core.views import forbidden, paginate
from egov.org.access import staff_required
from egov.org.models import Agency
from egov.org.permissions import can, visible_agencies
from egov.procedures import eforms, excel, selectors, services
from egov.procedures.api import file_online_url
from egov.procedures.eform_pdf import form_pdf
from egov.procedures.forms import ImportForm, StepFormSet
from egov.procedures.models import Procedure, Process, RequiredPaper


def _filters(request) -> dict:
    return {key: request.GET.get(key, "").strip() for key in ("q", "field", "agency", "level", "online")}


def procedure_list(request):
    """Public catalogue (tra cứu thủ tục hành chính)."""
    filters = _filters(request)
    procedures = selectors.search_procedures(filters["q"], field=filters["field"], agency=filters["agency"],
                                             level=filters["level"], online=filters["online"] or None)
    page = paginate(request, procedures)
    return render(request, "procedures/list.html", {
        "page": page, "filters": filters,
        "suggestion": selectors.suggest_query(filters["q"]) if filters["q"] and not page.paginator.count else "",
        "fields": selectors.fields_in_use(), "agencies": selectors.agencies_with_procedures(),
        "levels": Procedure.Level.choices,
    })


def procedure_detail(request, code):
    procedure = selectors.procedure_by_code(code)
    if procedure is None:
        raise Http404
    agencies = selectors.agencies_for(procedure)
    chosen = next((a for a in agencies if a.code == request.GET.get("co-quan")), None)
    return render(request, "procedures/detail.html", {
        "procedure": procedure, "papers": procedure.papers.all(), "fees": procedure.fees.all(),
        "agencies": agencies, "chosen": chosen, "process": selectors.process_for(procedure, chosen),
        "file_url": file_online_url(procedure),
    })


def form_template(request, code, paper_id):
    """The blank form of a required paper (mẫu đơn, tờ khai): public, streamed from the storage."""
    paper = RequiredPaper.objects.filter(pk=paper_id, procedure__code=code, procedure__is_active=True).first()
    if paper is None or not paper.form_template:
        raise Http404
    return file_response(paper.form_template, filename=paper.form_template.name.rsplit("/", 1)[-1],
                         content_type=mimetypes.guess_type(paper.form_template.name)[0] or "application/octet-stream")


# ---- staff ------------------------------------------------------------------------------------

def _managed_agency(request, code: str | None) -> Agency:
    """The agency the staff page acts for: the chosen one if the user manages it, else their own."""
    own = request.user.official.agency
    if not code or code == own.code:
        return own
    agency = Agency.objects.filter(code=code).first()
    if agency is None or not can(request.user, "procedures.manage", agency):
        raise PermissionDenied()
    return agency


@staff_required("procedures.manage")
def manage(request):
    try:
        agency = _managed_agency(request, request.GET.get("co-quan"))
    except PermissionDenied:
        return forbidden(request)
    query, only = request.GET.get("q", "").strip(), request.GET.get("loc", "")
    procedures = selectors.procedures_for_manager(request.user, query, agency=agency if only == "cua-toi" else None)
    page = paginate(request, procedures)
    own_processes = set(Process.objects.filter(agency=agency, procedure__in=[p.pk for p in page])
                        .values_list("procedure_id", flat=True))
    for procedure in page:
        procedure.handled = any(link.agency_id == agency.pk for link in procedure.active_links)
        procedure.own_process = procedure.pk in own_processes
    return render(request, "procedures/manage.html", {
        "page": page, "q": query, "only": only, "agency": agency,
        "agencies": visible_agencies(request.user).order_by("path"),
        "catalogue": can(request.user, "procedures.catalogue"),
    })


@require_POST
@staff_required("procedures.manage")
def adopt(request, code):
    procedure = selectors.procedure_by_code(code)
    if procedure is None:
        raise Http404
    try:
        agency = _managed_agency(request, request.POST.get("co-quan"))
        if request.POST.get("action") == "withdraw":
            services.withdraw_procedure(actor=request.user, agency=agency, procedure=procedure)
            messages.success(request, f"{agency.name} đã ngừng thực hiện thủ tục {procedure.code}.")
        else:
            services.adopt_procedure(actor=request.user, agency=agency, procedure=procedure)
            messages.success(request, f"{agency.name} đã áp dụng thủ tục {procedure.code}.")
    except PermissionDenied:
        return forbidden(request)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('procedure-manage')}?co-quan={agency.code}")


@staff_required("procedures.manage")
def process_edit(request, code):
    """Edit the steps of a process: the default one (system administrators) or an agency's own."""
    procedure = selectors.procedure_by_code(code, active_only=False)
    if procedure is None:
        raise Http404
    agency_code = request.GET.get("co-quan", "")
    if agency_code:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise Http404
        if not can(request.user, "procedures.manage", agency):
            return forbidden(request)
    elif can(request.user, "procedures.catalogue"):
        agency = None
    else:
        return redirect(f"{request.path}?co-quan={request.user.official.agency.code}")
    current = selectors.process_for(procedure, agency)
    own = current is not None and current.agency_id == (agency.pk if agency else None)
    if request.method == "POST" and request.POST.get("action") == "reset" and agency is not None:
        try:
            services.reset_process(actor=request.user, procedure=procedure, agency=agency)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã bỏ quy trình riêng; cơ quan dùng quy trình mặc định.")
        return redirect(request.get_full_path())
    initial = [{"name": s.name, "role": s.role, "department_name": s.department_name, "share": s.share}
               for s in (current.steps.all() if current else [])]
    formset = StepFormSet(request.POST or None, initial=None if request.method == "POST" else initial, prefix="buoc")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            try:
                if agency is not None and not selectors.agency_handles(agency, procedure):
                    services.adopt_procedure(actor=request.user, agency=agency, procedure=procedure,
                                             steps=formset.steps())
                else:
                    services.set_process(actor=request.user, procedure=procedure, agency=agency,
                                         steps=formset.steps())
            except DomainError as exc:
                formset._non_form_errors = formset.error_class(exc.details.get("problems") or [exc.message])
                status = 400
            else:
                messages.success(request, "Đã lưu quy trình nội bộ.")
                return redirect(request.get_full_path())
        else:
            status = 400
    return render(request, "procedures/process_form.html", {
        "procedure": procedure, "agency": agency, "formset": formset, "own": own, "current": current,
    }, status=status)


@staff_required("procedures.manage")
def excel_page(request):
    may_import = can(request.user, "procedures.catalogue")
    form = ImportForm(request.POST or None, request.FILES or None)
    result, errors, status = None, [], 200
    if request.method == "POST":
        if not may_import:
            return forbidden(request)
        if form.is_valid():
            try:
                result = excel.import_catalogue(actor=request.user, file=io.BytesIO(form.cleaned_data["file"].read()))
            except excel.CatalogueImportError as exc:
                errors, status = [str(e) for e in exc.errors], 400
            else:
                messages.success(request, f"Đã nhập danh mục: {len(result.created)} thủ tục mới, "
                                          f"{len(result.updated)} cập nhật, {len(result.unchanged)} không đổi.")
        else:
            status = 400
    return render(request, "procedures/excel.html", {"form": form, "may_import": may_import, "result": result,
                                                     "errors": errors}, status=status)


@staff_required("procedures.manage")
def excel_download(request):
    response = HttpResponse(excel.export_catalogue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f'attachment; filename="danh-muc-thu-tuc-{timezone.localdate():%Y%m%d}.xlsx"')
    return response


@staff_required("procedures.catalogue")
def form_edit(request, code):
    """Sửa mẫu tờ khai điện tử: the definition as JSON, checked, with a preview of the filing form."""
    procedure = selectors.procedure_by_code(code, active_only=False)
    if procedure is None:
        raise Http404
    definition = procedure.form_definition
    text = request.POST.get("definition") if request.method == "POST" else (
        json.dumps(definition, ensure_ascii=False, indent=2) if definition else "")
    problems, status = [], 200
    if request.method == "POST":
        try:
            definition = eforms.parse_definition(text)
            if request.POST.get("action") == "save":
                services.set_form_definition(actor=request.user, procedure=procedure, definition=definition)
                messages.success(request, "Đã lưu mẫu tờ khai điện tử." if definition else "Đã bỏ tờ khai điện tử.")
                return redirect("procedure-form", code=procedure.code)
        except DomainError as exc:
            problems = exc.details.get("problems") or [exc.message]
            definition, status = None, 400
    preview = None
    if definition:
        units = eforms.load_units(definition)
        preview = {"title": definition["title"], "basis": definition.get("basis", ""),
                   "items": eforms.render_items(definition, None, None, units),
                   "options": eforms.unit_options(definition, units)}
    return render(request, "procedures/form_edit.html", {
        "procedure": procedure, "text": text, "problems": problems, "eform": preview,
        "kinds": eforms.KINDS.items(), "saved": bool(procedure.form_definition),
    }, status=status)


@staff_required("procedures.catalogue")
def form_sample(request, code):
    """The saved tờ khai printed blank (what the citizen's filled PDF looks like)."""
    procedure = selectors.procedure_by_code(code, active_only=False)
    if procedure is None or not procedure.form_definition:
        raise Http404
    data = form_pdf(procedure.form_definition, {}, preview=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{eforms.file_stem(procedure.form_definition["title"])}.pdf"'
    return response
