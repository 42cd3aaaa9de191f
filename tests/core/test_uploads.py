"""The shared upload checker: one set of checks, each feature's types, limit and words."""

import pytest

from egov.core import uploads
from egov.core.errors import ValidationError
from egov.documents import files
from egov.dossiers.uploads import check_upload
from egov.signing.uploads import RULES as VERIFY_RULES
from tests.dossiers.factories import upload


def test_each_feature_refuses_the_same_fake_pdf_in_its_own_words():
    fake = b"GIF89a not a pdf at all"
    with pytest.raises(ValidationError) as paper:
        check_upload(upload("giay-to.pdf", fake), label="Tờ khai")
    with pytest.raises(ValidationError) as document:
        files.check_bytes("cong-van.pdf", fake)
    with pytest.raises(ValidationError) as verified:
        uploads.check(VERIFY_RULES, "ky-so.pdf", fake)
    assert (paper.value.code, document.value.code, verified.value.code) == ("file_type", "invalid_file_type",
                                                                            "not_pdf")
    assert "Tờ khai" in paper.value.message and "cong-van.pdf" in document.value.message


def test_only_verification_takes_a_pdf_header_after_leading_bytes():
    late_header = b"\x00" * 100 + b"%PDF-1.7\n%%EOF\n"
    assert uploads.check(VERIFY_RULES, "ky-so.pdf", late_header).content_type == uploads.PDF
    with pytest.raises(ValidationError):
        files.check_bytes("cong-van.pdf", late_header)
