"""Online dossier submissions per second: `POST /api/v1/dossiers` with an API key (`dossiers:write`)
and two 200 KB PDF papers as multipart/form-data, on gunicorn (2 sync workers, production
settings) over a fresh demo site (SQLite, then PostgreSQL), loaded by wrk with 8 concurrent
connections posting the same body (every request creates a new dossier and stores two files).

    python -m bench dossiers_submit
    EGOV_BENCH_DURATION=5 EGOV_BENCH_RUNS=1 EGOV_BENCH_SUBMIT_PG=0 python -m bench --no-write dossiers_submit
"""

from __future__ import annotations

import json
import os
import secrets
import sys

from bench.common import ROOT, Report, demo_site, log, median_runs, serve, table
from bench.dossiers_tracking import django_eval, manage, wrk

TITLE = "Dossiers: online submissions"
CONNECTIONS = 8
DURATION = float(os.environ.get("EGOV_BENCH_DURATION", "10"))
RUNS = int(os.environ.get("EGOV_BENCH_RUNS", "3"))
WORKERS = 2
PROCEDURE = "2.000635"  # cấp bản sao trích lục hộ tịch: two mandatory papers, full online
AGENCY = "000.00.31.H57"
PAPER_BYTES = 200 * 1024
PG = os.environ.get("EGOV_BENCH_SUBMIT_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def pdf_of_size(size: int) -> bytes:
    """The small real PDF of the test fixtures, padded with a comment to `size` bytes."""
    base = (ROOT / "tests" / "fixtures" / "dossiers" / "paper.pdf").read_bytes()
    padding = size - len(base) - 2
    filler = (b"% egov benchmark padding " * (padding // 25 + 1))[:padding]
    return base + b"\n%" + filler[1:] + b"\n"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = "egovbench" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def prepare(site) -> tuple[str, str, bytes]:
    """An API key of the ward with `dossiers:write`, and the request body."""
    key = manage(site, "apikey", "create", "Hệ thống đo tải", "--agency", AGENCY, "--scopes",
                 "dossiers:write").strip().splitlines()[-1]
    papers = json.loads(django_eval(site, "import json\nfrom egov.procedures.models import RequiredPaper\n"
                                          f"print(json.dumps(list(RequiredPaper.objects.filter(procedure__code="
                                          f"'{PROCEDURE}').order_by('order').values_list('pk', 'mandatory'))))"))
    assert sum(1 for _, mandatory in papers if mandatory) == 2, papers
    content = pdf_of_size(PAPER_BYTES)
    fields = {"procedure": PROCEDURE, "agency": AGENCY, "applicant_name": "Nguyễn Văn Đo Tải",
              "applicant_id_number": "046090001234", "applicant_phone": "0905123456",
              "applicant_address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"}
    files = {f"paper_{pk}": (f"giay-to-{pk}.pdf", content) for pk, mandatory in papers if mandatory}
    content_type, body = multipart(fields, files)
    return key, content_type, body


def lua_post_script(folder, key: str, content_type: str, body: bytes):
    body_path = folder / "submit-body.bin"
    body_path.write_bytes(body)
    script = folder / "submit.lua"
    script.write_text(
        f"local f = io.open({json.dumps(str(body_path))}, 'rb')\n"
        "wrk.body = f:read('*a')\nf:close()\n"
        "wrk.method = 'POST'\n"
        f"wrk.headers['Content-Type'] = {json.dumps(content_type)}\n"
        f"wrk.headers['Authorization'] = 'Bearer ' .. {json.dumps(key)}\n", encoding="utf-8")
    return script


def check(base, key, content_type, body) -> None:
    import urllib.request

    request = urllib.request.Request(base + "/api/v1/dossiers", data=body, method="POST",
                                     headers={"Content-Type": content_type, "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
        assert response.status == 201 and answer["status"] == "submitted", answer


def measure_on(database_url: str | None):
    with demo_site(database_url=database_url) as site:
        key, content_type, body = prepare(site)
        script = lua_post_script(site.data_dir, key, content_type, body)
        with serve(site, workers=WORKERS) as base:
            check(base, key, content_type, body)
            result = median_runs(lambda: wrk(base, script, path="/api/v1/dossiers", connections=CONNECTIONS),
                                 runs=RUNS)
        stored = django_eval(site, "from egov.dossiers.models import Dossier, DossierFile\n"
                                   "print(Dossier.objects.count(), DossierFile.objects.count())").split()
        log(f"stored: {stored[0]} dossiers, {stored[1]} files")
    return result, len(body)


def run(report: Report) -> None:
    rows = []
    size = 0
    for label, url in (("SQLite", None), ("PostgreSQL", PG if PG and PG != "0" else None)):
        if label == "PostgreSQL" and not url:
            continue
        log(f"--- {label}")
        result, size = measure_on(url)
        rows.append([label, *result.row(), result.errors, "met" if result.rps >= 200 else "not met"])
    body = [
        f"`POST /api/v1/dossiers` with an API key (`dossiers:write`), multipart/form-data: the applicant's fields "
        f"and two PDF papers of 200 KB each ({size / 1024:.0f} KB a request), procedure {PROCEDURE} at agency "
        f"{AGENCY}; every request creates a dossier (status submitted), its event and audit entry, and stores two "
        f"files in the local media folder. gunicorn with {WORKERS} sync workers, production settings; wrk with "
        f"{CONNECTIONS} connections for {DURATION:.0f} s on the same machine. Medians of {RUNS} runs. "
        "Target: 200 submissions/s.",
        table(["database", "submissions/s", "p50 ms", "p99 ms", "server CPU ms/request", "errors", "target"], rows),
    ]
    report.section(TITLE, "\n\n".join(body))


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    run(Report(write="--no-write" not in sys.argv))
