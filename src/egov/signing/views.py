"""Pages: the public verifier, and certificates for officials, agencies and administrators."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError
from egov.org.access import staff_required
from egov.org.permissions import can, visible_agencies
from egov.signing import selectors, services
from egov.signing.forms import (
    AgencyCertificateForm,
    CertificateForm,
    SignForm,
    TrustedRootForm,
    VerifyForm,
)
from egov.signing.models import SigningCertificate, TrustedRoot
from egov.signing.report import present
from egov.signing.uploads import check_verify_rate, max_bytes, read_pdf_upload


def verify(request):
    """Kiểm tra chữ ký số: anyone uploads a signed PDF and reads the report. Nothing is stored."""
    context = {"max_mb": max_bytes() // (1024 * 1024), "form": VerifyForm()}
    status = 200
    if request.method == "POST":
        try:
            check_verify_rate(request)
            pdf = read_pdf_upload(request)
            report = services.verify_and_summarise(pdf)
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.status
        else:
            context["report"] = present(report)
            context["file_name"] = request.FILES["file"].name
    return render(request, "signing/verify.html", context, status=status)


@staff_required("signing.sign_personal")
def sign(request):
    """Ký số tệp PDF: an official signs a PDF (or a clerk seals it for the agency) and downloads it."""
    official = request.user.official
    for_agency = can(request.user, "signing.sign_agency", official.agency)
    form = SignForm(request.POST or None, request.FILES or None, can_sign_for_agency=for_agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pdf = read_pdf_upload(request)
            page = 0 if data["page"] == "first" else -1
            box = services.stamp_box_at(pdf, page=page, corner=data["corner"])
            reason = data["reason"].strip() or "Phê duyệt văn bản"
            if data["signer"] == SignForm.AS_AGENCY:
                signed = services.sign_for_agency(actor=request.user, agency=official.agency, pdf=pdf,
                                                  stamp_box=box, page=page, reason=reason)
            else:
                signed = services.sign_for_official(actor=request.user, pdf=pdf, stamp_box=box, page=page,
                                                    reason=reason)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            stem = PurePath(request.FILES["file"].name).stem[:100] or "van-ban"
            response = HttpResponse(signed, content_type="application/pdf")
            response["Content-Disposition"] = content_disposition_header(True, f"{stem}-da-ky-so.pdf")
            return response
    return render(request, "signing/sign.html", {
        "form": form, "certificate": selectors.active_certificate_of_official(official),
        "agency_certificate": selectors.active_certificate_of_agency(official.agency) if for_agency else None,
        "for_agency": for_agency,
    }, status=400 if form.errors else 200)


@staff_required("signing.own_certificates")
def my_certificates(request):
    official = request.user.official
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.register_certificate(
                actor=request.user, p12=form.cleaned_data["file"].read(), password=form.cleaned_data["password"],
                signature_image=_read_optional(form.cleaned_data.get("image")))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã đăng ký chứng thư số của {certificate.subject_cn}.")
            return redirect("signing-my-certificates")
    return render(request, "signing/my_certificates.html", {
        "form": form, "certificates": selectors.certificates_of_official(official),
    }, status=400 if form.errors else 200)


@staff_required("signing.manage_agency_certificates")
def agency_certificates(request):
    agencies = visible_agencies(request.user)
    form = AgencyCertificateForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.register_certificate(
                actor=request.user, agency=form.cleaned_data["agency"], p12=form.cleaned_data["file"].read(),
                password=form.cleaned_data["password"],
                signature_image=_read_optional(form.cleaned_data.get("image")))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã đăng ký chứng thư số cho {certificate.agency.name}.")
            return redirect("signing-agency-certificates")
    return render(request, "signing/agency_certificates.html", {
        "form": form, "certificates": selectors.agency_certificates_visible_to(request.user),
    }, status=400 if form.errors else 200)


@require_POST
@staff_required("signing.own_certificates")
def deactivate(request, pk: int):
    certificate = get_object_or_404(SigningCertificate.objects.select_related("official__agency", "agency"), pk=pk)
    try:
        services.deactivate_certificate(actor=request.user, certificate=certificate)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã ngừng sử dụng chứng thư số của {certificate.subject_cn}.")
    if certificate.official_id and certificate.official.user_id == request.user.pk:
        return redirect("signing-my-certificates")
    return redirect("signing-agency-certificates")


@staff_required("signing.manage_trust_roots")
def trusted_roots(request):
    form = TrustedRootForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            root = services.add_trusted_root(actor=request.user, name=form.cleaned_data["name"],
                                             data=form.cleaned_data["file"].read())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm chứng thư số gốc tin cậy “{root.name}”.")
            return redirect("signing-trusted-roots")
    return render(request, "signing/trusted_roots.html", {
        "form": form, "roots": TrustedRoot.objects.all(),
    }, status=400 if form.errors else 200)


@require_POST
@staff_required("signing.manage_trust_roots")
def remove_root(request, pk: int):
    root = get_object_or_404(TrustedRoot, pk=pk)
    try:
        services.remove_trusted_root(actor=request.user, root=root)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã bỏ “{root.name}” khỏi danh sách tin cậy.")
    return redirect("signing-trusted-roots")


def _read_optional(upload) -> bytes | None:
    if not upload:
        return None
    if upload.size > services.MAX_IMAGE_BYTES:
        return b"x" * (services.MAX_IMAGE_BYTES + 1)  # the service answers with its message
    return upload.read()
