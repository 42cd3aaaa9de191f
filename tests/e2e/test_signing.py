"""Digital signatures in a real browser at phone width: a citizen checks a signed result from the
home page; a leader registers their certificate."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import horizontal_overflow, outside_event_loop


@pytest.fixture
def signing_key(settings, tmp_path):
    settings.SIGNING_KEY = "e2e-signing-key-0123456789abcdef0123456789"
    settings.SIGNING_FETCH_REVOCATION = False
    return settings


def assert_fits(page):
    assert horizontal_overflow(page) <= 0, f"{page.url} scrolls sideways at {page.viewport_size['width']}px"


def _signed_pdf():
    from egov.core.pdf import new_pdf, pdf_bytes
    from egov.signing.pades import StampSpec, load_pkcs12, sign_pdf
    from egov.signing.testca import build_test_pki

    pki = build_test_pki()
    pdf = new_pdf(title="Giấy chứng nhận")
    pdf.add_page()
    pdf.multi_cell(0, 8, "GIẤY CHỨNG NHẬN đăng ký hộ kinh doanh")
    identity = load_pkcs12(pki.person.to_pkcs12(b"k"), b"k")
    stamp = StampSpec(signer_name="Nguyễn Văn An", position="Chủ tịch", agency="UBND phường Thuận Hóa")
    return pki, sign_pdf(pdf_bytes(pdf), identity=identity, stamp=stamp)


def test_citizen_verifies_a_signed_result_from_the_home_page(phone_page, signing_key, tmp_path, shot):
    from egov.signing.services import add_trusted_root

    pki, signed = outside_event_loop(_signed_pdf)
    add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(signed)

    page = phone_page
    page.goto("/")
    page.get_by_role("link", name="Kiểm tra chữ ký số").click()
    page.wait_for_url("**/chu-ky-so/kiem-tra/")
    assert_fits(page)
    page.get_by_label("Tệp PDF đã ký số").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra").click()
    assert page.get_by_test_id("verdict").inner_text() == "Chữ ký số hợp lệ"
    assert "Nguyễn Văn An" in page.get_by_test_id("signature").inner_text()
    assert "Còn nguyên vẹn" in page.get_by_test_id("signature").inner_text()
    assert_fits(page)
    shot(page, "report")


def test_tampered_file_is_reported_as_changed(phone_page, signing_key, tmp_path):
    _pki, signed = outside_event_loop(_signed_pdf)
    tampered = bytearray(signed)
    tampered[len(tampered) // 3] ^= 0x20
    path = tmp_path / "da-sua.pdf"
    path.write_bytes(bytes(tampered))

    page = phone_page
    page.goto("/chu-ky-so/kiem-tra/")
    page.get_by_label("Tệp PDF đã ký số").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra").click()
    assert page.get_by_test_id("verdict").inner_text() == "Chữ ký số không hợp lệ"
    assert_fits(page)


def test_leader_registers_their_certificate(phone_page, demo_org, signing_key, tmp_path, login, shot):
    from egov.signing.testca import build_test_pki

    p12 = tmp_path / "chung-thu.p12"
    p12.write_bytes(build_test_pki().person.to_pkcs12(b"bi-mat-123"))
    page = login(phone_page, demo_org.accounts["lanhdao"], demo_org.password)
    page.goto("/chu-ky-so/cua-toi/")
    assert_fits(page)
    page.get_by_label("Tệp chứng thư số (.p12, .pfx)").set_input_files(str(p12))
    page.get_by_label("Mật khẩu của tệp").fill("bi-mat-123")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký").click()
    assert page.get_by_text("Đã đăng ký chứng thư số").is_visible()
    assert page.get_by_text("Đang sử dụng").first.is_visible()
    assert_fits(page)
    shot(page, "registered")


def test_leader_signs_a_pdf_and_downloads_it(phone_page, demo_org, signing_key, tmp_path, login, shot):
    from egov.core.pdf import new_pdf, pdf_bytes
    from egov.org.models import User
    from egov.signing import services
    from egov.signing.testca import build_test_pki

    pki = build_test_pki()
    leader = User.objects.get(username=demo_org.accounts["lanhdao"])
    services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"k"), password="k")
    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    pdf = new_pdf(title="Quyết định")
    pdf.add_page()
    pdf.multi_cell(0, 8, "QUYẾT ĐỊNH phê duyệt kế hoạch")
    source = tmp_path / "quyet-dinh.pdf"
    source.write_bytes(pdf_bytes(pdf))

    page = login(phone_page, leader.username, demo_org.password)
    page.get_by_role("link", name="Ký số tệp PDF").first.click()
    page.wait_for_url("**/chu-ky-so/ky/")
    assert_fits(page)
    page.get_by_label("Tệp PDF cần ký").set_input_files(str(source))
    page.get_by_label("Vị trí trên trang").select_option("bottom-left")
    shot(page, "form")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ký số và tải về").click()
    assert download.value.suggested_filename == "quyet-dinh-da-ky-so.pdf"
    signed = (tmp_path / "signed.pdf")
    download.value.save_as(signed)
    report = outside_event_loop(services.verify_and_summarise, signed.read_bytes(), allow_fetching=False)
    assert report.verdict == "valid", report.summary
