"""Signing and verifying PDFs the way a leader, a clerk and a citizen's verifier use them."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pypdf import PageObject, PdfReader
from pypdf.generic import NameObject

from egov.signing.errors import SigningError
from egov.signing.pades import StampSpec, load_pkcs12, sign_pdf, verify_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "signed"


def stamp_text(pdf: bytes, page: int = -1) -> str:
    """The text a reader sees in the signature stamps on a page (their appearance streams)."""
    reader = PdfReader(io.BytesIO(pdf))
    texts = []
    for annot in reader.pages[page].get("/Annots", []):
        annot = annot.get_object()
        if annot.get("/FT") != "/Sig" or "/AP" not in annot:
            continue
        appearance = annot["/AP"]["/N"]
        canvas = PageObject.create_blank_page(width=600, height=200)
        canvas[NameObject("/Resources")] = appearance.get_object()["/Resources"]
        canvas[NameObject("/Contents")] = appearance
        texts.append(canvas.extract_text())
    return "\n".join(texts)


def overwrite_page_content(pdf: bytes, new_content: bytes) -> bytes:
    """An unsigned incremental update that replaces page 1's content stream in place."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _ = w.find_page_for_modification(0)
    contents = page_ref.get_object().raw_get("/Contents")
    if isinstance(contents, generic.ArrayObject):
        contents = contents[0]
    w.objects[(contents.generation, contents.idnum)] = generic.StreamObject(
        stream_data=new_content
    )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ round trips


def test_signed_document_verifies_as_valid(document, leader, pki):
    signed = sign_pdf(document, identity=leader, reason="Phê duyệt", location="Huế")

    report = verify_pdf(signed, trust_roots=pki.trust_roots)

    assert report.verdict == "valid"
    assert report.summary == "Tài liệu có 1 chữ ký số, tất cả hợp lệ."
    (sig,) = report.signatures
    assert sig.kind == "signature"
    assert sig.signer == "Nguyễn Văn An"
    assert sig.issuer == "CA cấp chứng thư số thử nghiệm egov"
    assert sig.intact and sig.trusted and sig.valid and sig.covers_whole_document
    assert not sig.expired and not sig.timestamped
    assert isinstance(sig.signed_at, datetime)
    # signing keeps the original bytes: the signature is an incremental update
    assert signed.startswith(document)


def test_signature_uses_pades_subfilter(document, leader):
    signed = sign_pdf(document, identity=leader)
    assert b"/ETSI.CAdES.detached" in signed


def test_report_serialises_to_json(document, leader, pki):
    report = verify_pdf(sign_pdf(document, identity=leader), trust_roots=pki.trust_roots)

    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))

    assert data["verdict"] == "valid"
    assert data["signatures"][0]["signer"] == "Nguyễn Văn An"
    assert datetime.fromisoformat(data["signatures"][0]["signed_at"])


def test_revocation_is_checked_over_the_network_when_allowed(document, leader, pki):
    signed = sign_pdf(document, identity=leader)

    offline = verify_pdf(signed, trust_roots=pki.trust_roots)
    online = verify_pdf(signed, trust_roots=pki.trust_roots, allow_fetching=True)

    assert offline.signatures[0].revoked is None  # soft-fail: unknown, said so in a warning
    assert offline.signatures[0].warnings
    assert online.signatures[0].revoked is False
    assert online.verdict == "valid"


def test_visible_stamp_shows_vietnamese_signer_details(document, leader):
    stamp = StampSpec(
        signer_name="Nguyễn Văn An",
        position="Chủ tịch",
        agency="Ủy ban nhân dân xã Thử Nghiệm",
        signed_at=datetime.fromisoformat("2026-11-25T09:30:00+07:00"),
    )

    signed = sign_pdf(document, identity=leader, stamp=stamp)

    text = stamp_text(signed)
    assert "Nguyễn Văn An" in text
    assert "Chức vụ: Chủ tịch" in text
    assert "Ủy ban nhân dân xã Thử Nghiệm" in text
    assert "Ký ngày: 25/11/2026 09:30:00 +07:00" in text


def test_stamp_goes_bottom_right_of_last_page_by_default(document_factory, leader):
    signed = sign_pdf(
        document_factory(pages=3), identity=leader, stamp=StampSpec(signer_name="Nguyễn Văn An")
    )

    reader = PdfReader(io.BytesIO(signed))
    assert not reader.pages[0].get("/Annots") and not reader.pages[1].get("/Annots")
    (widget,) = [a.get_object() for a in reader.pages[2]["/Annots"]]
    x1, _y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width = float(reader.pages[2].mediabox.width)
    assert x1 > width / 2 and y2 < 150 and x2 <= width


def test_stamp_with_signature_image(document, leader, signature_png, pki):
    stamp = StampSpec(signer_name="Nguyễn Văn An", position="Chủ tịch", image_png=signature_png)

    signed = sign_pdf(document, identity=leader, stamp=stamp, field_name="LanhDao")

    assert "Nguyễn Văn An" in stamp_text(signed)
    report = verify_pdf(signed, trust_roots=pki.trust_roots)
    assert report.verdict == "valid"
    assert report.signatures[0].field_name == "LanhDao"


def test_stamp_on_missing_page_is_refused(document, leader):
    with pytest.raises(SigningError, match="chỉ có 1 trang"):
        sign_pdf(document, identity=leader, stamp=StampSpec(signer_name="A", page=5))


def test_leader_then_agency_signatures_are_both_valid_in_order(document, leader, agency_signer, pki):
    by_leader = sign_pdf(
        document,
        identity=leader,
        stamp=StampSpec(signer_name="Nguyễn Văn An", position="Chủ tịch"),
    )
    issued = sign_pdf(
        by_leader,
        identity=agency_signer,
        stamp=StampSpec(signer_name="Ủy ban nhân dân xã Thử Nghiệm", page=0),
    )

    report = verify_pdf(issued, trust_roots=pki.trust_roots)

    assert report.verdict == "valid"
    assert report.summary == "Tài liệu có 2 chữ ký số, tất cả hợp lệ."
    first, second = report.signatures
    assert (first.signer, second.signer) == ("Nguyễn Văn An", "Ủy ban nhân dân xã Thử Nghiệm")
    assert (first.field_name, second.field_name) == ("Signature1", "Signature2")
    assert first.intact and not first.covers_whole_document
    assert second.covers_whole_document
    assert first.signed_at <= second.signed_at


def test_multi_page_document_signs_and_verifies(document_factory, leader, pki):
    signed = sign_pdf(
        document_factory(pages=5), identity=leader, stamp=StampSpec(signer_name="Nguyễn Văn An")
    )
    assert len(PdfReader(io.BytesIO(signed)).pages) == 5
    assert verify_pdf(signed, trust_roots=pki.trust_roots).verdict == "valid"


def test_document_with_form_field_signs_and_verifies(document_factory, leader, agency_signer, pki):
    form = document_factory(text_field=True)

    signed = sign_pdf(form, identity=leader, stamp=StampSpec(signer_name="Nguyễn Văn An"))
    signed = sign_pdf(signed, identity=agency_signer)

    report = verify_pdf(signed, trust_roots=pki.trust_roots)
    assert report.verdict == "valid", report.summary
    fields = PdfReader(io.BytesIO(signed)).get_fields()
    assert fields["so_van_ban"]["/V"] == "838/QĐ-UBND"


# ------------------------------------------------------------------ timestamps and long-term


def test_timestamped_signature_b_t(document, leader, pki, tsa):
    signed = sign_pdf(document, identity=leader, timestamp_url=tsa.timestamp_url)

    (sig,) = verify_pdf(signed, trust_roots=pki.trust_roots).signatures

    assert sig.timestamped is True
    assert isinstance(sig.timestamp_at, datetime)
    assert sig.signed_at == sig.timestamp_at
    assert sig.valid


def test_long_term_signature_b_lt_validates_offline(document, leader, pki, tsa):
    signed = sign_pdf(
        document,
        identity=leader,
        timestamp_url=tsa.timestamp_url,
        embed_validation=True,
        trust_roots=pki.trust_roots,
    )

    assert b"/DSS" in signed
    report = verify_pdf(signed, trust_roots=pki.trust_roots, allow_fetching=False)
    (sig,) = report.signatures
    assert report.verdict == "valid"
    # the CRLs were embedded, so revocation is known without going online
    assert sig.revoked is False


def test_archive_timestamp_b_lta_is_reported(document, leader, pki, tsa):
    signed = sign_pdf(
        document,
        identity=leader,
        timestamp_url=tsa.timestamp_url,
        embed_validation=True,
        archive_timestamp=True,
        trust_roots=pki.trust_roots,
    )

    report = verify_pdf(signed, trust_roots=pki.trust_roots)

    kinds = [s.kind for s in report.signatures]
    assert kinds == ["signature", "timestamp"]
    doc_ts = report.signatures[1]
    assert doc_ts.signer == "Dịch vụ cấp dấu thời gian thử nghiệm egov"
    assert doc_ts.timestamp_at is not None and doc_ts.valid
    assert report.verdict == "valid"
    assert report.summary == "Tài liệu có 1 chữ ký số và 1 dấu thời gian, tất cả hợp lệ."


def test_archive_timestamp_needs_a_tsa(document, leader, pki):
    with pytest.raises(SigningError):
        sign_pdf(document, identity=leader, archive_timestamp=True, trust_roots=pki.trust_roots)


def test_unreachable_tsa_gives_vietnamese_error(document, leader):
    with pytest.raises(SigningError, match="dấu thời gian"):
        sign_pdf(document, identity=leader, timestamp_url="http://127.0.0.1:9/tsa")


# ------------------------------------------------------------------ what must never pass


def test_changing_one_signed_byte_breaks_the_signature(document, leader, pki):
    signed = bytearray(sign_pdf(document, identity=leader))
    at = signed.index(b"egov")  # the /Creator string of the original document
    signed[at] = ord("E")

    report = verify_pdf(bytes(signed), trust_roots=pki.trust_roots)

    (sig,) = report.signatures
    assert sig.intact is False and sig.valid is False
    assert report.verdict == "invalid"
    assert report.summary == (
        "Chữ ký của Nguyễn Văn An không hợp lệ: tài liệu đã bị sửa sau khi ký."
    )


def test_content_changed_in_a_later_update_is_detected(document, leader, pki):
    signed = sign_pdf(document, identity=leader)
    forged = overwrite_page_content(signed, b"BT /F1 24 Tf 72 700 Td (Da sua noi dung) Tj ET")

    report = verify_pdf(forged, trust_roots=pki.trust_roots)

    (sig,) = report.signatures
    assert sig.intact is False
    assert sig.valid is False
    assert not sig.covers_whole_document
    assert report.verdict == "invalid"
    assert "đã bị sửa sau khi ký" in report.summary


def test_later_edit_after_two_signatures_invalidates_both(document, leader, agency_signer, pki):
    signed = sign_pdf(sign_pdf(document, identity=leader), identity=agency_signer)
    forged = overwrite_page_content(signed, b"")

    report = verify_pdf(forged, trust_roots=pki.trust_roots)

    assert [s.intact for s in report.signatures] == [False, False]
    assert report.verdict == "invalid"


def test_signature_from_unknown_ca_is_untrusted(document, leader, pki):
    from egov.signing.testca import build_test_pki

    other_root = build_test_pki(base_url="http://127.0.0.1:9/other").root.cert_pem
    signed = sign_pdf(document, identity=leader)

    report = verify_pdf(signed, trust_roots=[other_root])

    (sig,) = report.signatures
    assert sig.intact is True
    assert sig.trusted is False and sig.valid is False
    assert report.verdict == "invalid"


def sign_without_our_checks(pdf: bytes, issued) -> bytes:
    """Sign with pyHanko directly, as a careless tool would, skipping sign_pdf's refusals."""
    signer = signers.SimpleSigner.load_pkcs12_data(
        issued.to_pkcs12(b"p"), other_certs=[], passphrase=b"p"
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfSigner(meta, signer).sign_pdf(w).getvalue()


def test_signing_with_an_expired_certificate_is_refused(document, expired_signer):
    with pytest.raises(SigningError, match="đã hết hạn ngày") as info:
        sign_pdf(document, identity=expired_signer)
    assert info.value.code == "certificate_expired"


def test_signing_with_a_certificate_not_meant_for_documents_is_refused(document, pki):
    tsa_identity = load_pkcs12(pki.tsa.to_pkcs12(b"p"), b"p")
    with pytest.raises(SigningError, match="không được phép dùng để ký"):
        sign_pdf(document, identity=tsa_identity)


def test_expired_certificate_is_reported(document, pki):
    signed = sign_without_our_checks(document, pki.expired)

    report = verify_pdf(signed, trust_roots=pki.trust_roots)

    (sig,) = report.signatures
    assert sig.expired is True and sig.valid is False
    assert report.verdict == "invalid"
    assert "Lê Văn Hết Hạn" in report.summary


def test_signature_by_a_non_signing_certificate_is_not_trusted(document, pki):
    signed = sign_without_our_checks(document, pki.tsa)

    report = verify_pdf(signed, trust_roots=pki.trust_roots)

    assert report.signatures[0].valid is False
    assert report.verdict != "valid"


def test_revoked_certificate_is_caught_with_the_served_crl(document, revoked_signer, pki, tsa):
    signed = sign_pdf(document, identity=revoked_signer)

    report = verify_pdf(signed, trust_roots=pki.trust_roots, allow_fetching=True)

    (sig,) = report.signatures
    assert sig.revoked is True and sig.valid is False
    assert report.verdict == "invalid"
    assert "thu hồi" in report.summary


# ------------------------------------------------------------------ inputs


def test_unsigned_pdf_has_no_signatures(document, pki):
    report = verify_pdf(document, trust_roots=pki.trust_roots)
    assert report.signatures == []
    assert report.verdict == "unsigned"
    assert report.summary == "Tài liệu không có chữ ký số."


@pytest.mark.parametrize("garbage", [b"", b"hello world", b"\x89PNG\r\n\x1a\n" + b"\0" * 64])
def test_garbage_is_not_a_pdf(garbage, leader, pki):
    with pytest.raises(SigningError, match=r"Tệp không phải là PDF hợp lệ\."):
        verify_pdf(garbage, trust_roots=pki.trust_roots)
    with pytest.raises(SigningError, match=r"Tệp không phải là PDF hợp lệ\."):
        sign_pdf(garbage, identity=leader)


def test_truncated_pdf_is_refused(document, leader):
    with pytest.raises(SigningError) as info:
        sign_pdf(document[: len(document) // 3], identity=leader)
    assert info.value.code == "malformed_pdf"  # it starts as a PDF: broken, not foreign


def test_encrypted_pdf_is_refused(document, leader):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)

    with pytest.raises(SigningError, match="mã hóa"):
        sign_pdf(buf.getvalue(), identity=leader)


def test_wrong_pkcs12_password(pki):
    with pytest.raises(SigningError) as info:
        load_pkcs12(pki.person.to_pkcs12(b"dung"), b"sai")
    assert info.value.message == "Mật khẩu chứng thư số không đúng hoặc tệp PKCS#12 không hợp lệ."
    with pytest.raises(SigningError):
        load_pkcs12(b"not a p12 file", b"x")


def test_pkcs12_identity_carries_the_chain(leader, pki):
    assert leader.common_name == "Nguyễn Văn An"
    assert [c.subject for c in leader.chain] == [pki.intermediate.cert.subject]


# ------------------------------------------------------------------ other tools' signatures


def test_foreign_signature_is_intact_but_untrusted_by_default():
    pdf = (FIXTURES / "foreign_adbe_pkcs7.pdf").read_bytes()

    report = verify_pdf(pdf, trust_roots=[])

    (sig,) = report.signatures
    assert sig.signer == "Phạm Thị Ngoại"
    assert sig.intact is True and sig.covers_whole_document
    assert sig.trusted is False
    assert report.verdict == "invalid"


def test_foreign_signature_is_valid_when_its_root_is_trusted():
    pdf = (FIXTURES / "foreign_adbe_pkcs7.pdf").read_bytes()
    root = (FIXTURES / "foreign_root.pem").read_bytes()

    report = verify_pdf(pdf, trust_roots=[root])

    assert report.verdict == "valid"


def test_we_can_countersign_a_foreign_signed_pdf(leader, pki):
    pdf = (FIXTURES / "foreign_adbe_pkcs7.pdf").read_bytes()
    root = (FIXTURES / "foreign_root.pem").read_bytes()

    signed = sign_pdf(pdf, identity=leader, stamp=StampSpec(signer_name="Nguyễn Văn An"))

    report = verify_pdf(signed, trust_roots=[root, *pki.trust_roots])
    assert [s.signer for s in report.signatures] == ["Phạm Thị Ngoại", "Nguyễn Văn An"]
    assert report.verdict == "valid", report.summary


def test_certificate_expired_since_signing_without_timestamp_is_indeterminate(
    document, leader, pki
):
    signed = sign_pdf(document, identity=leader)  # B-B: nothing proves when it was signed
    two_years_on = datetime.now().astimezone() + timedelta(days=730)

    report = verify_pdf(signed, trust_roots=pki.trust_roots, validation_time=two_years_on)

    (sig,) = report.signatures
    assert sig.expired is False  # it was valid when (it claims) it was signed
    assert sig.valid is False and sig.indeterminate is True
    assert report.verdict == "indeterminate"
    assert report.summary.startswith("Chưa xác định được hiệu lực chữ ký của Nguyễn Văn An")


def test_signature_in_an_unsupported_format_is_listed_not_trusted(pki):
    pdf = (FIXTURES / "foreign_adbe_pkcs7.pdf").read_bytes()
    legacy = pdf.replace(b"/adbe.pkcs7.detached", b"/adbe.x509.rsa_sha1 ")  # same length

    report = verify_pdf(legacy, trust_roots=[(FIXTURES / "foreign_root.pem").read_bytes()])

    (sig,) = report.signatures
    assert sig.field_name == "ForeignSignature"
    assert sig.valid is False
    assert report.verdict == "indeterminate"
    assert report.summary == (
        "Chưa xác định được hiệu lực chữ ký của ô ForeignSignature: "
        "chữ ký dùng định dạng không được hỗ trợ, không kiểm tra được."
    )


def test_junk_after_the_end_of_a_signed_pdf_is_not_read_and_not_covered(document, leader, pki, monkeypatch):
    from egov.signing import verify

    signed = sign_pdf(document, identity=leader)
    padded = signed + bytes(range(256)) * 8000  # 2 MB after %%EOF (an upload padded to cost CPU)
    read = []
    real_reader = verify.PdfFileReader
    monkeypatch.setattr(verify, "PdfFileReader", lambda stream, **kw: read.append(len(stream.getvalue()))
                        or real_reader(stream, **kw))

    report = verify_pdf(padded, trust_roots=pki.trust_roots)

    assert read == [len(signed)]  # pyHanko never scans the tail
    (sig,) = report.signatures
    assert sig.intact and sig.trusted and not sig.covers_whole_document
    assert any("2.048.000 byte không thuộc tài liệu" in w for w in sig.warnings)
    # A short tail, as the standard allows, is read as it is.
    read.clear()
    (sig,) = verify_pdf(signed + b"\n" * 100, trust_roots=pki.trust_roots).signatures
    assert read == [len(signed) + 100] and not any("không thuộc tài liệu" in w for w in sig.warnings)


def test_a_pdf_without_an_end_marker_is_refused_at_once(document, leader):
    body = document[: document.rindex(b"%%EOF")] + b"x" * 1_000_000
    with pytest.raises(SigningError) as refused:
        verify_pdf(body, trust_roots=[])
    assert refused.value.code == "not_pdf"
    with pytest.raises(SigningError) as refused:
        sign_pdf(body, identity=leader)
    assert refused.value.code == "malformed_pdf"  # it starts as a PDF: broken, not foreign


def test_signing_a_padded_pdf_signs_the_document_without_its_tail(document, leader, pki):
    signed = sign_pdf(document + b"\0" * 50_000, identity=leader)
    assert signed.startswith(document) and b"\0" * 50_000 not in signed
    report = verify_pdf(signed, trust_roots=pki.trust_roots)
    assert report.verdict == "valid" and report.signatures[0].covers_whole_document
