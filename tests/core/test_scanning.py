"""Uploads pass the malware scanner before anything is stored: the clamd client against a small
clamd on loopback (tests/clamd.py), and every upload path refusing an infected file, or any file
while the scanner is down, without a trace."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.core import scanning
from egov.documents.models import Document
from egov.dossiers.models import Dossier, DossierFile
from tests.clamd import EICAR, SIGNATURE, ClamdServer
from tests.documents.conftest import build_world, decision_pdf, doc_type
from tests.dossiers.conftest import World
from tests.dossiers.factories import applicant_data, upload
from tests.factories import PASSWORD, make_api_key

INFECTED_PDF = b"%PDF-1.7\n" + EICAR + b"\n%%EOF\n"


@pytest.fixture
def clamd(settings):
    with ClamdServer() as server:
        settings.CLAMD = server.address
        settings.CLAMD_TIMEOUT = 5
        yield server


@pytest.fixture
def clamd_down(settings):
    """An address where nothing listens: the port of a socket just closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CLAMD = f"127.0.0.1:{port}"
    settings.CLAMD_TIMEOUT = 5


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# -- the clamd client ---------------------------------------------------------------------------
def test_clamd_client_says_clean_or_names_what_it_found(clamd):
    client = scanning.ClamdScanner(clamd.address, timeout=5)
    assert client.ping()
    assert client.scan(b"%PDF-1.7 an ordinary form") == scanning.Verdict(clean=True)
    assert client.scan(INFECTED_PDF) == scanning.Verdict(clean=False, signature=SIGNATURE)


def test_clamd_client_streams_large_files_in_chunks_intact(clamd):
    # the test string straddles the boundary between the first two chunks
    data = b"a" * (scanning.CHUNK_BYTES - 10) + EICAR + b"b" * (3 * scanning.CHUNK_BYTES)
    verdict = scanning.ClamdScanner(clamd.address, timeout=5).scan(data)
    assert not verdict.clean and clamd.streams == [data]


def test_clamd_client_over_a_unix_socket(tmp_path):
    path = str(tmp_path / "clamd.sock")
    with ClamdServer(unix_path=path) as server:
        assert scanning.ClamdScanner(path, timeout=5).scan(INFECTED_PDF).signature == SIGNATURE
        assert scanning.ClamdScanner(f"unix://{path}", timeout=5).scan(b"ok").clean
        assert server.streams == [INFECTED_PDF, b"ok"]


def test_clamd_errors_and_silence_give_no_verdict(tmp_path):
    with ClamdServer(max_stream_bytes=1000) as server, pytest.raises(scanning.ScanFailed, match="size limit"):
        scanning.ClamdScanner(server.address, timeout=5).scan(b"x" * 5000)
    # a daemon that accepts the connection and never answers: the timeout ends the wait
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        with pytest.raises(scanning.ScanFailed, match="timed out"):
            scanning.ClamdScanner(f"{host}:{port}", timeout=0.2).scan(b"x")


@pytest.mark.parametrize("value", ["clamd", "127.0.0.1:", "tcp://host:port"])
def test_a_malformed_address_is_refused(value):
    with pytest.raises(ValueError):
        scanning.parse_address(value)


def test_without_egov_clamd_nothing_is_scanned(settings):
    settings.CLAMD = ""
    assert isinstance(scanning.scanner(), scanning.NoScanner)
    scanning.ensure_clean(INFECTED_PDF, name="a.pdf")  # accepted: no scanner configured


# -- every upload path --------------------------------------------------------------------------
@pytest.fixture
def dossiers(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


def paper_form(world, second: bytes) -> dict:
    first, other = world.procedure.papers.all()
    return {f"paper_{first.pk}": upload("paper.pdf"), f"paper_{other.pk}": SimpleUploadedFile("to-khai.pdf", second)}


def test_api_refuses_an_infected_paper_and_keeps_nothing(client, dossiers, clamd, settings):
    client.login(username=dossiers.citizen.username, password=PASSWORD)
    response = client.post("/api/v1/dossiers", {"procedure": dossiers.procedure.code, "agency": dossiers.agency.code,
                                                **paper_form(dossiers, INFECTED_PDF)})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "file_infected" and "có chứa mã độc" in body["message"]
    assert body["details"] == {"signature": SIGNATURE}
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0 and stored_files(settings) == []


def test_clean_papers_are_scanned_then_stored(client, dossiers, clamd):
    client.login(username=dossiers.citizen.username, password=PASSWORD)
    clean = decision_pdf()
    response = client.post("/api/v1/dossiers", {"procedure": dossiers.procedure.code, "agency": dossiers.agency.code,
                                                **paper_form(dossiers, clean)})
    assert response.status_code == 201, response.content
    assert clean in clamd.streams and len(clamd.streams) == 2
    assert DossierFile.objects.count() == 2


def test_api_answers_503_when_the_scanner_is_down(client, dossiers, clamd_down, settings):
    client.login(username=dossiers.citizen.username, password=PASSWORD)
    response = client.post("/api/v1/dossiers", {"procedure": dossiers.procedure.code, "agency": dossiers.agency.code,
                                                **paper_form(dossiers, decision_pdf())})
    assert response.status_code == 503
    assert response.json()["code"] == "scanner_unavailable"
    assert "dịch vụ quét tạm thời không hoạt động" in response.json()["message"]
    assert Dossier.objects.count() == 0 and stored_files(settings) == []


def test_web_filing_says_the_paper_is_infected(client, dossiers, clamd, settings):
    client.login(username=dossiers.citizen.username, password=PASSWORD)
    form = {**applicant_data(dossiers.citizen), "agency": dossiers.agency.pk, "token": "t-1", "submit": "1",
            **paper_form(dossiers, INFECTED_PDF)}
    response = client.post(reverse("dossier-file", args=[dossiers.procedure.code]), form)
    assert response.status_code == 400
    assert "có chứa mã độc (Eicar-Test-Signature)" in response.content.decode()
    # The clean paper is kept with a draft (the citizen picks only the refused one again); the
    # infected file is stored nowhere.
    draft = Dossier.objects.get()
    assert draft.status == Dossier.Status.DRAFT and [f.original_name for f in draft.files.all()] == ["paper.pdf"]
    assert len(stored_files(settings)) == 1
    assert all(INFECTED_PDF not in path.read_bytes() for path in stored_files(settings))


def test_web_filing_says_the_check_is_unavailable(client, dossiers, clamd_down, settings):
    client.login(username=dossiers.citizen.username, password=PASSWORD)
    form = {**applicant_data(dossiers.citizen), "agency": dossiers.agency.pk, "token": "t-1", "submit": "1",
            **paper_form(dossiers, decision_pdf())}
    response = client.post(reverse("dossier-file", args=[dossiers.procedure.code]), form)
    assert "Chưa kiểm tra được mã độc" in response.content.decode()
    assert Dossier.objects.count() == 0 and stored_files(settings) == []


def test_document_registration_refuses_an_infected_pdf(client, agency, clamd, settings):
    world = build_world(agency)
    _, raw = make_api_key(agency, "documents:write")
    response = client.post("/api/v1/documents/incoming", {
        "document_type": doc_type("CV").code, "summary": "V/v thử", "issued_on": "2026-08-15",
        "issuer": "UBND thành phố Huế", "file": SimpleUploadedFile("cv.pdf", INFECTED_PDF)},
        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and response.json()["code"] == "file_infected"
    client.login(username=world.clerk.username, password=PASSWORD)
    page = client.post(reverse("documents:register"), {
        "files": SimpleUploadedFile("qd.pdf", INFECTED_PDF), "doc_type": doc_type("QĐ").pk,
        "summary": "Về việc thử", "urgency": "normal", "confidentiality": "normal"})
    assert "“qd.pdf” có chứa mã độc" in page.content.decode()
    assert not Document.objects.exists() and stored_files(settings) == []


def test_signature_verification_scans_the_whole_file(client, db, clamd):
    # past the first kilobyte, where the type is told: the scan must see the whole file
    late = b"%PDF-1.7\n" + b"%" * 4000 + EICAR + b"\n%%EOF\n"
    page = client.post(reverse("signing-verify"), {"file": SimpleUploadedFile("ky-so.pdf", late)})
    assert "có chứa mã độc" in page.content.decode()
    api = client.post("/api/v1/signatures/verify", {"file": SimpleUploadedFile("ky-so.pdf", late)})
    assert api.status_code == 422 and api.json()["code"] == "file_infected"
    assert clamd.streams == [late, late]


def test_uploads_outside_the_file_checker_are_scanned_too(client, agency, clamd):
    """Certificates, trusted roots, signature images, the catalogue workbook and blank forms
    uploaded in the admin are not checked by type like papers, but are scanned all the same."""
    from egov.org.roles import Role
    from egov.procedures.admin import PaperForm
    from egov.procedures.models import RequiredPaper
    from egov.signing import services as signing
    from egov.signing.models import SigningCertificate, TrustedRoot
    from tests.dossiers.factories import make_procedure
    from tests.factories import make_official

    leader = make_official(Role.LEADER, agency=agency)
    with pytest.raises(scanning.Infected):
        signing.register_certificate(actor=leader, p12=EICAR, password="x")
    with pytest.raises(scanning.Infected):
        signing.add_trusted_root(actor=None, name="Gốc lạ", data=EICAR)
    assert not SigningCertificate.objects.exists() and not TrustedRoot.objects.exists()

    client.force_login(make_official(Role.SYSTEM_ADMIN, agency=agency))
    workbook = SimpleUploadedFile("danh-muc.xlsx", b"PK\x03\x04" + EICAR)
    page = client.post(reverse("procedure-excel"), {"file": workbook})
    assert page.status_code == 400 and "“danh mục thủ tục” có chứa mã độc" in page.content.decode()

    paper = RequiredPaper.objects.filter(procedure=make_procedure()).first()
    form = PaperForm({"procedure": paper.procedure_id, "order": 1, "name": paper.name, "originals": 1, "copies": 0},
                     {"form_template": SimpleUploadedFile("to-khai.docx", EICAR)}, instance=paper)
    assert not form.is_valid() and "có chứa mã độc" in str(form.errors["form_template"])
    assert len(clamd.streams) == 4


def test_readyz_reports_the_scanner_without_failing(client, db, settings):
    settings.CLAMD = ""
    assert client.get("/readyz").json()["scanner"] == "off"
    with ClamdServer() as server:
        settings.CLAMD = server.address
        assert client.get("/readyz").json()["scanner"] == "ok"
    down = client.get("/readyz")  # the same address, nothing listening any more
    assert down.status_code == 200 and down.json()["scanner"] == "unavailable"


def test_a_malformed_egov_clamd_stops_the_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "EGOV_CLAMD": "clamd", "EGOV_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "egov.settings"}
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, check=False)
    assert run.returncode != 0 and "EGOV_CLAMD='clamd'" in run.stderr


def test_the_api_schema_tells_uploads_may_wait_for_the_scanner(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "503" in paths["/api/v1/dossiers"]["post"]["responses"]
    assert "503" in paths["/api/v1/signatures/verify"]["post"]["responses"]
    assert "503" not in paths["/api/v1/procedures"]["get"]["responses"]
