"""Fixtures for the signing core: one test PKI and one local TSA/CRL server per test session.

Nothing here touches the database, so these tests run with or without pytest-django.
"""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from PIL import Image

from egov.core.pdf import new_pdf, pdf_bytes
from egov.signing.pades import SigningIdentity, load_pkcs12
from egov.signing.tsa import TimestampServer


@pytest.fixture(scope="session")
def tsa():
    """RFC 3161 TSA + CRL server on loopback; its PKI's certificates point their CRLs at it."""
    with TimestampServer() as server:
        yield server


@pytest.fixture(scope="session")
def pki(tsa):
    return tsa.pki


def _identity(issued) -> SigningIdentity:
    # through PKCS#12, as a signer's .p12 file arrives in real life
    return load_pkcs12(issued.to_pkcs12(b"matkhau"), b"matkhau")


@pytest.fixture(scope="session")
def leader(pki) -> SigningIdentity:
    return _identity(pki.person)


@pytest.fixture(scope="session")
def agency_signer(pki) -> SigningIdentity:
    return _identity(pki.agency)


@pytest.fixture(scope="session")
def revoked_signer(pki) -> SigningIdentity:
    return _identity(pki.revoked)


@pytest.fixture(scope="session")
def expired_signer(pki) -> SigningIdentity:
    return _identity(pki.expired)


def make_document(pages: int = 1, *, text_field: bool = False) -> bytes:
    """An outgoing document (văn bản đi) as egov generates it."""
    pdf = new_pdf(title="Quyết định thử nghiệm")
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"QUYẾT ĐỊNH về việc thử nghiệm ký số — trang {n}/{pages}")
    data = pdf_bytes(pdf)
    if text_field:
        data = _add_text_field(data)
    return data


def _add_text_field(data: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    # fpdf2 writes no forms, so add an AcroForm text field the way a form designer would
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _ = w.find_page_for_modification(0)
    field = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string("so_van_ban"),
            pdf_name("/V"): pdf_string("838/QĐ-UBND"),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (60, 700, 260, 720)]
            ),
            pdf_name("/P"): page_ref,
        }
    )
    field_ref = w.add_object(field)
    page = page_ref.get_object()
    page[pdf_name("/Annots")] = generic.ArrayObject([field_ref])
    w.update_container(page)
    w.root[pdf_name("/AcroForm")] = generic.DictionaryObject(
        {pdf_name("/Fields"): generic.ArrayObject([field_ref])}
    )
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def document_factory():
    return make_document


@pytest.fixture(scope="session")
def document() -> bytes:
    return make_document()


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    img = Image.new("RGB", (200, 80), "white")
    for x in range(20, 180):
        img.putpixel((x, 40 + (x % 20) - 10), (0, 0, 160))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------ the Django app's tests


@pytest.fixture(scope="session")
def other_person(pki):
    """A second official's certificate from the same CA."""
    return pki.issue_person("Trần Thị Bình", title="Phó Chủ tịch", agency="Ủy ban nhân dân xã Thử Nghiệm")


@pytest.fixture(scope="session")
def foreign_pki():
    """A CA nobody trusted: its certificates look right but chain to an unknown root."""
    from datetime import datetime, timedelta

    from egov.signing.testca import build_test_pki

    return build_test_pki(now=datetime.now(UTC) - timedelta(minutes=7))


@pytest.fixture
def signing_settings(settings, tmp_path):
    settings.SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789"
    settings.SIGNING_TSA_URL = ""
    settings.DATA_DIR = tmp_path
    return settings
