"""Demo documents for the Huế agencies: incoming mail at the City People's Committee Office
(registered from generated PDFs, assigned, one overdue), outgoing documents in every state, and
an issued decision delivered electronically to two departments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.documents import files, services
from egov.documents.doctypes import seed_document_types
from egov.documents.extraction import extract_metadata
from egov.documents.models import Assignment, DocumentType
from egov.documents.samples import first_page_pdf
from egov.documents.services import Target
from egov.org.models import Agency, User

NAME = "documents"

INCOMING = [
    # (issuer, number symbol, type name or None for a letter, summary, days ago)
    ("Ủy ban nhân dân thành phố Huế", "838/QĐ-UBND", "Quyết định",
     "Về việc phê duyệt Kế hoạch cải cách hành chính năm 2026 của thành phố Huế", 6),
    ("Sở Khoa học và Công nghệ thành phố Huế", "512/SKHCN-CĐS", None,
     "V/v triển khai nền tảng chữ ký số cho cán bộ, công chức", 4),
    ("Sở Tài chính thành phố Huế", "77/KH-STC", "Kế hoạch",
     "Kế hoạch kiểm tra công tác quản lý tài chính, tài sản công năm 2026", 2),
    ("Sở Nội vụ thành phố Huế", "45/GM-SNV", "Giấy mời",
     "Mời dự Hội nghị tập huấn công tác văn thư, lưu trữ năm 2026", 1),
]


def _pdf(issuer, number_symbol, type_name, summary, issued_on):
    return first_page_pdf(issuer=issuer, number_symbol=number_symbol, issued_on=issued_on, place="Huế",
                          summary=summary, type_name=type_name)


def load(out) -> None:
    seed_document_types()
    office = Agency.objects.get(code="000.00.01.H57")
    clerk, leader, specialist = (User.objects.get(username=f"vp.{slug}") for slug in ("vanthu", "lanhdao", "chuyenvien"))
    today = timezone.localdate()
    registered = []
    for issuer, number_symbol, type_name, summary, days in INCOMING:
        pdf = _pdf(issuer, number_symbol, type_name, summary, today - dt.timedelta(days=days + 2))
        meta = extract_metadata(pdf)  # what the clerk's form is prefilled with
        doc_type = DocumentType.objects.get(code=meta.document_type_code or "CV")
        registered.append(services.register_incoming(
            actor=clerk, agency=office, doc_type=doc_type, summary=meta.summary or summary,
            number_symbol=meta.number_symbol or number_symbol, issued_on=meta.issued_on, issuer_name=issuer,
            uploads=[files.check_bytes(f"{number_symbol.replace('/', '-')}.pdf", pdf)],
            received_at=timezone.now() - dt.timedelta(days=days)))
    departments = list(office.departments.all())
    services.assign(actor=leader, document=registered[0], deadline_days=5,
                    instruction="Giao Phòng Kinh tế chủ trì tham mưu triển khai.",
                    targets=[Target("lead", user=specialist), Target("cooperate", department=departments[0]),
                             Target("inform", user=clerk)])
    late, = services.assign(actor=leader, document=registered[1], deadline=today,
                            instruction="Báo cáo kết quả triển khai.", targets=[Target("lead", user=specialist)])
    # Demo only: move the deadline into the past so the overdue flag shows.
    Assignment.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=2))

    letter = services.create_draft(
        actor=specialist, doc_type=DocumentType.objects.get(code="CV"), signer=leader,
        summary="V/v báo cáo tình hình triển khai chữ ký số quý IV năm 2026",
        upload=files.check_bytes("du-thao-cong-van.pdf", _pdf(
            "Văn phòng Ủy ban nhân dân thành phố Huế", "    /VP-KT", None,
            "V/v báo cáo tình hình triển khai chữ ký số quý IV năm 2026", today)),
        recipients=[Agency.objects.get(code="000.00.16.H57")], external_recipients=[("Bộ Khoa học và Công nghệ", "")])
    services.submit_for_review(actor=specialist, document=letter, reviewers=[])

    decision_pdf = _pdf("Văn phòng Ủy ban nhân dân thành phố Huế", "      /QĐ-VP", "Quyết định",
                        "Về việc ban hành Quy chế công tác văn thư, lưu trữ của Văn phòng", today)
    decision = services.create_draft(
        actor=specialist, doc_type=DocumentType.objects.get(code="QĐ"), signer=leader,
        summary="Về việc ban hành Quy chế công tác văn thư, lưu trữ của Văn phòng",
        upload=files.check_bytes("du-thao-quyet-dinh.pdf", decision_pdf),
        recipients=[Agency.objects.get(code="000.00.12.H57"), Agency.objects.get(code="000.00.13.H57")])
    services.submit_for_review(actor=specialist, document=decision, reviewers=[])
    services.approve_outgoing(actor=leader, document=decision, comment="Đồng ý ban hành.")
    services.issue_outgoing(actor=clerk, document=decision)

    services.create_draft(
        actor=specialist, doc_type=DocumentType.objects.get(code="KH"), signer=leader,
        summary="Kế hoạch chuyển đổi số năm 2027 của Văn phòng",
        upload=None, external_recipients=[("Lưu: VT, KT", "")])
    out(f"  {len(registered)} văn bản đến tại {office.short_name}, 3 văn bản đi (1 đã phát hành, liên thông tới 2 sở)")
