"""A small agency for document tests: departments, a clerk, a leader, specialists."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache
from types import SimpleNamespace

import pytest

from egov.documents import files
from egov.documents.doctypes import seed_document_types
from egov.documents.models import DocumentType
from egov.documents.samples import first_page_pdf
from egov.org.roles import Role
from tests.factories import make_department, make_official


@lru_cache(maxsize=32)
def decision_pdf(number_symbol="838/QĐ-UBND", summary="Về việc phê duyệt Kế hoạch cải cách hành chính năm 2026",
                 issuer="Ủy ban nhân dân thành phố Huế", type_name="Quyết định", issued_on=dt.date(2026, 3, 29)) -> bytes:
    return first_page_pdf(issuer=issuer, number_symbol=number_symbol, issued_on=issued_on, place="Huế",
                          summary=summary, type_name=type_name)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf_upload(data: bytes | None = None, name: str = "van-ban.pdf") -> files.Upload:
    return files.check_bytes(name, data or decision_pdf())


def doc_type(code: str) -> DocumentType:
    seed_document_types()  # transactional tests flush the seeded rows
    return DocumentType.objects.get(code=code)


def build_world(agency, *, short="UBND"):
    agency.short_name = short
    agency.save()
    office = make_department(agency, name=f"Văn phòng {agency.pk}", short_name="VP")
    economy = make_department(agency, name=f"Phòng Kinh tế {agency.pk}", short_name="KT")
    return SimpleNamespace(
        agency=agency, office=office, economy=economy,
        clerk=make_official(Role.CLERK, agency=agency, department=office, full_name="Văn Thư"),
        leader=make_official(Role.LEADER, agency=agency, department=office, position="Chủ tịch", full_name="Lãnh Đạo"),
        head=make_official(Role.SPECIALIST, agency=agency, department=economy, position="Trưởng phòng", full_name="Trưởng Phòng"),
        specialist=make_official(Role.SPECIALIST, agency=agency, department=economy, full_name="Chuyên Viên A"),
        colleague=make_official(Role.SPECIALIST, agency=agency, department=economy, full_name="Chuyên Viên B"),
        outsider=make_official(Role.SPECIALIST, agency=agency, department=office, full_name="Chuyên Viên Văn Phòng"),
        admin=make_official(Role.AGENCY_ADMIN, agency=agency, full_name="Quản Trị"),
    )


@pytest.fixture
def world(agency):
    return build_world(agency)


@pytest.fixture
def other_world(other_agency):
    return build_world(other_agency, short="STP")
