"""Document search at a province's ten-year volume, and incoming registration throughput.

    .venv/bin/python -m bench documents_search                       # via the runner
    .venv/bin/python bench/documents_search.py [--n 1000000] [--database-url postgres://...] [--no-write]

Builds a throwaway database (SQLite in a temp folder, or a new database on the PostgreSQL server
of --database-url / $EGOV_DATABASE_URL), migrates it, bulk-inserts N generated documents (default
1,000,000) straight into the tables with the search index (FTS5 rebuild on SQLite, COPY then GIN
on PostgreSQL), then times `selectors.search_documents` -- the service the pages and the API
call, visibility and ORM included -- as a leader of the largest agency, for a mix of queries:
rare and common words, with and without diacritics, with filters, and filters alone. It also
times `services.register_incoming` (no file) to give registrations per second. Results replace
the "## Document search" section of docs/benchmarks.md.

Loading a million documents takes minutes. To load once and measure many times, set
EGOV_BENCH_KEEP=1 and name a PostgreSQL database in the URL (SQLite: the database stays in
$EGOV_BENCH_KEEP_DIR, default /tmp/egov-docbench-sqlite): it is created and loaded when it does
not hold the N generated documents yet, migrated on every run (so new indexes are built on it),
kept afterwards, and the documents the registration timing adds are deleted again:

    EGOV_BENCH_KEEP=1 EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_docbench \
        python -m bench documents_search
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (str(ROOT), str(ROOT / "src")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from bench.common import (
    REPORT,
    Report,
    Site,
    _pg_admin,
    _python,
    base_env,
    demo_site,
    log,
    machine_line,
    table,
)

TITLE = "Document search"
DEFAULT_N = 1_000_000
AGENCIES = 40
BIG_SHARE = 0.25  # the largest agency holds a quarter of all documents
REPEAT = 30
KEPT_SQLITE_DIR = Path(os.environ.get("EGOV_BENCH_KEEP_DIR", "/tmp/egov-docbench-sqlite"))

SUBJECTS = [
    "cải cách hành chính", "chuyển đổi số", "phòng cháy chữa cháy", "giải phóng mặt bằng", "quy hoạch đô thị",
    "an toàn thực phẩm", "phòng chống thiên tai", "bảo vệ môi trường", "đầu tư công", "thu ngân sách",
    "xây dựng nông thôn mới", "quản lý đất đai", "bảo hiểm xã hội", "tuyển sinh đầu cấp", "tiêm chủng mở rộng",
    "chữ ký số", "văn thư lưu trữ", "thi đua khen thưởng", "phổ biến giáo dục pháp luật", "an ninh trật tự",
    "du lịch di sản", "giao thông vận tải", "hộ tịch", "tài sản công", "kiểm tra tài chính",
]
VERBS = ["Về việc phê duyệt", "V/v triển khai", "Kế hoạch thực hiện", "Báo cáo kết quả", "V/v tăng cường",
         "Về việc ban hành quy chế", "Thông báo kết luận về", "V/v góp ý dự thảo", "Hướng dẫn thực hiện"]
PLACES = ["phường Thuận Hóa", "phường Phú Xuân", "xã Phú Vang", "thành phố Huế", "phường Kim Long", "xã Quảng Điền"]
ISSUERS = ["Ủy ban nhân dân thành phố Huế", "Sở Tư pháp", "Sở Xây dựng", "Sở Tài chính", "Sở Nội vụ",
           "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường", "Công an thành phố", "Bộ Nội vụ",
           "Văn phòng Chính phủ"]
FILLER = ["căn", "cứ", "nghị", "định", "thông", "tư", "hướng", "dẫn", "tổ", "chức", "thực", "hiện", "đề", "nghị", "các", "cơ", "quan", "đơn", "vị", "địa", "phương", "khẩn", "trương", "báo", "cáo", "kết", "quả", "trước", "ngày", "tháng", "năm", "theo", "quy", "định", "hiện", "hành", "trách", "nhiệm", "phối", "hợp", "kinh", "phí", "nguồn", "ngân", "sách", "nhà", "nước", "tổng", "hợp", "đánh", "giá", "kiểm", "tra", "giám", "sát"]
TYPE_CODES = ["CV"] * 6 + ["QĐ"] * 2 + ["KH", "BC", "TB", "GM", "TTr", "HD", "CT", "NQ"]

QUERIES = [
    ("one rare word", {"q": "hộ tịch"}),
    ("rare, no diacritics", {"q": "ho tich"}),
    ("common phrase", {"q": "chuyển đổi số"}),
    ("common, no diacritics", {"q": "chuyen doi so"}),
    ("very common word", {"q": "báo cáo"}),
    ("rare + status", {"q": "hộ tịch", "status": "done"}),
    ("very common + type", {"q": "báo cáo", "doc_type": "KH"}),
    ("number and symbol", {"q": "SYMBOL"}),  # an outgoing symbol of the agency, picked after loading
    ("words + type + year", {"q": "đất đai", "doc_type": "QĐ", "date_from": dt.date(2022, 1, 1),
                             "date_to": dt.date(2022, 12, 31)}),
    ("no match", {"q": "khong co tu nay"}),
    ("filters only: type + year", {"doc_type": "KH", "date_from": dt.date(2021, 1, 1), "date_to": dt.date(2021, 12, 31)}),
    ("newest, no filter", {}),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fold(text: str) -> str:
    from egov.documents.search import words_only

    return words_only(text)


def generate(n: int, agency_ids: list[int], type_ids: dict[str, int], *, seed: int = 7):
    """Rows of (document tuple, search body) for n documents over ten years."""
    from egov.documents.search import filter_tokens

    rng = random.Random(seed)
    big = agency_ids[0]
    start = dt.date(2016, 1, 1)
    now = dt.datetime.now(dt.UTC)
    register = {}
    for i in range(1, n + 1):
        agency = big if rng.random() < BIG_SHARE else rng.choice(agency_ids[1:])
        code = rng.choice(TYPE_CODES)
        subject = rng.choice(SUBJECTS)
        summary = f"{rng.choice(VERBS)} {subject} tại {rng.choice(PLACES)} năm {2016 + i % 10}"
        issued = start + dt.timedelta(days=rng.randrange(3650))
        issuer = rng.choice(ISSUERS)
        incoming = rng.random() < 0.7
        key = (agency, issued.year, incoming)
        register[key] = register.get(key, 0) + 1
        number = rng.randrange(1, 9000) if incoming else register[key]
        symbol = f"{number}/UBND-VP" if code == "CV" else f"{number}/{code}-UBND"
        status = rng.choice(["registered", "in_progress", "done", "done"]) if incoming else "issued"
        body = (filter_tokens(agency_id=agency, type_code=code, year=issued.year, document_id=i) + " "
                + fold(f"{symbol} {issuer} {summary} " + " ".join(rng.choices(FILLER, k=30))))
        row = (i, "incoming" if incoming else "outgoing", agency, status, type_ids[code], symbol,
               None if incoming else number, issued, issuer, fold(issuer)[:255], summary,
               issued.year, register[key] if incoming else None, not incoming, now, now)
        yield row, body


COLUMNS = ("id", "direction", "agency_id", "status", "doc_type_id", "number_symbol", "number", "issued_on",
           "issuer_name", "issuer_folded", "summary", "register_year", "register_number", "is_published",
           "created_at", "updated_at")
DEFAULTS = {"signer_name": "", "signer_position": "", "urgency": "normal", "confidentiality": "normal",
            "channel": "electronic", "has_digital_signature": False,
            # never checked: as for documents registered before signature verdicts were kept
            "signature_verdict": "", "signature_summary": "", "signers": "[]"}


def bulk_insert(n: int, agency_ids: list[int], type_ids: dict[str, int]) -> float:
    from django.db import connection

    started = time.perf_counter()
    columns = COLUMNS + tuple(DEFAULTS)
    extra = tuple(DEFAULTS.values())
    batch, bodies = [], []

    def flush_sqlite(cursor):
        placeholders = ",".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO documents_document ({','.join(columns)}) VALUES ({placeholders})", batch)
        cursor.executemany("INSERT INTO documents_searchtext (document_id, agency_id, body) VALUES (%s, %s, %s)", bodies)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS documents_searchtext_agency_vector_gin")
            raw = cursor.cursor
            with raw.copy(f"COPY documents_document ({','.join(columns)}) FROM STDIN") as copy:
                for row, _ in generate(n, agency_ids, type_ids):
                    copy.write_row(row + extra)
            with raw.copy("COPY documents_searchtext (document_id, agency_id, body) FROM STDIN") as copy:
                for row, body in generate(n, agency_ids, type_ids):
                    copy.write_row((row[0], row[2], body))
            log(f"copied {n:,} rows in {time.perf_counter() - started:.0f} s; building the GIN index")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute("CREATE INDEX documents_searchtext_agency_vector_gin ON documents_searchtext "
                           "USING gin (agency_id, vector)")
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('documents_document', 'id'), {n})")
            cursor.execute("ANALYZE documents_document")
            cursor.execute("ANALYZE documents_searchtext")
            cursor.execute("ANALYZE documents_documentaccess")
    else:
        with connection.cursor() as cursor:
            for row, body in generate(n, agency_ids, type_ids):
                batch.append(row + extra)
                bodies.append((row[0], row[2], body))
                if len(batch) >= 20_000:
                    flush_sqlite(cursor)
                    batch.clear()
                    bodies.clear()
            if batch:
                flush_sqlite(cursor)
            log(f"inserted {n:,} rows in {time.perf_counter() - started:.0f} s; rebuilding FTS5")
            cursor.execute("INSERT INTO documents_fts(documents_fts) VALUES('rebuild')")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


@contextlib.contextmanager
def kept_site(database_url: str):
    """The site on the named PostgreSQL database, or on SQLite in KEPT_SQLITE_DIR, created
    when missing and kept afterwards."""
    import subprocess
    import tempfile
    import urllib.parse

    if database_url:
        import psycopg

        name = urllib.parse.urlsplit(database_url).path.lstrip("/")
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            _pg_admin(database_url, f'CREATE DATABASE "{name}"')
    with tempfile.TemporaryDirectory(prefix="egov-bench-") as tmp:
        data_dir = Path(tmp) if database_url else KEPT_SQLITE_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        site = Site(data_dir=data_dir, env=base_env(data_dir, database_url), database_url=database_url)
        subprocess.run([_python(), "-m", "egov.cli", "migrate"], env=site.env, check=True, cwd=tmp,
                       stdout=subprocess.DEVNULL)
        log(f"kept database migrated ({database_url or data_dir})")
        yield site


def measure(n: int, *, keep: bool = False) -> tuple[list[list], dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from egov.documents import services
    from egov.documents.doctypes import seed_document_types
    from egov.documents.models import Document, DocumentType
    from egov.documents.selectors import Filters, search_documents
    from egov.org.models import Agency
    from egov.org.roles import Role
    from egov.org.services import create_official

    seed_document_types()
    loaded = keep and Document.objects.filter(pk__lte=n).count() == n
    if loaded:
        agencies = list(Agency.objects.filter(code__endswith=".B99").order_by("code"))
        load_s = None
        log(f"reusing the {n:,} documents already loaded")
    else:
        agencies = [Agency.objects.create(code=f"000.00.{i:02d}.B99", name=f"Cơ quan thử {i}", short_name="UBND")
                    for i in range(AGENCIES)]
    type_ids = dict(DocumentType.objects.values_list("code", "id"))
    if not loaded:
        # SQLite: one transaction (fast). PostgreSQL: autocommit, so each COPY commits and its
        # deferred foreign-key checks do not block building the GIN index afterwards.
        with transaction.atomic() if connection.vendor == "sqlite" else contextlib.nullcontext():
            load_s = bulk_insert(n, [a.pk for a in agencies], type_ids)
    users = get_user_model().objects
    if loaded:
        leader, clerk = users.get(username="bench.lanhdao"), users.get(username="bench.vanthu")
    else:
        leader = create_official(actor=None, agency=agencies[0], username="bench.lanhdao", full_name="Lãnh đạo",
                                 password="Bench@2026-x", roles=[Role.LEADER]).user
        clerk = create_official(actor=None, agency=agencies[0], username="bench.vanthu", full_name="Văn thư",
                                password="Bench@2026-x", roles=[Role.CLERK]).user

    symbol = (Document.objects.filter(agency=agencies[0], direction="outgoing", doc_type__code="QĐ")
              .values_list("number_symbol", flat=True).first())
    rows = []
    worst_p50 = worst_p99 = 0.0
    for label, params in QUERIES:
        params = {k: (symbol if v == "SYMBOL" else v) for k, v in params.items()}
        filters = Filters(**params)
        search_documents(leader, filters)  # warm the cache for this plan
        times, shown, total = [], 0, None
        for _ in range(REPEAT):
            t = time.perf_counter()
            page = search_documents(leader, filters)
            times.append((time.perf_counter() - t) * 1000)
            shown, total = len(page.results), (page.total if page.total is not None else f"> {page.more_than}")
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        worst_p50, worst_p99 = max(worst_p50, p50), max(worst_p99, p99)
        rows.append([label, f"`{params.get('q', '')}`", shown, total, f"{p50:.1f}", f"{p99:.1f}"])
        log(f"{label:<28} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({total})")
    # Registrations per second: the service with its register lock, search index and audit entry.
    doc_type = DocumentType.objects.get(code="CV")
    count = 200
    t = time.perf_counter()
    for i in range(count):
        services.register_incoming(actor=clerk, agency=agencies[0], doc_type=doc_type,
                                   summary=f"V/v thử tốc độ vào sổ {i}", number_symbol=f"{i}/UBND-VP",
                                   issuer_name="Ủy ban nhân dân thành phố Huế")
    per_second = count / (time.perf_counter() - t)
    if keep:
        if connection.vendor == "sqlite":
            from egov.documents.models import SearchText

            with connection.cursor() as cursor:  # external-content FTS5 forgets a row given its text
                for pk, body in SearchText.objects.filter(pk__gt=n).values_list("pk", "body"):
                    cursor.execute("INSERT INTO documents_fts(documents_fts, rowid, body) VALUES('delete', %s, %s)",
                                   [pk, body])
        Document.objects.filter(pk__gt=n).delete()
    info = {"vendor": connection.vendor, "load_s": load_s, "per_second": per_second,
            "big_share": BIG_SHARE, "worst_p50": worst_p50, "worst_p99": worst_p99}
    return rows, info


def run(report: Report, *, n: int | None = None, database_url: str | None = None) -> None:
    n = n or int(os.environ.get("EGOV_BENCH_DOCUMENTS", DEFAULT_N))
    database_url = database_url if database_url is not None else os.environ.get("EGOV_DATABASE_URL", "")
    keep = os.environ.get("EGOV_BENCH_KEEP") == "1"
    with kept_site(database_url) if keep else demo_site(database_url=database_url or None, demo=False) as site:
        site.django()
        rows, info = measure(n, keep=keep)
    loaded = (f"bulk-loaded in {info['load_s']:.0f} s" if info["load_s"] is not None
              else "loaded by an earlier run (EGOV_BENCH_KEEP)")
    engine = "PostgreSQL (tsvector + GIN)" if info["vendor"] == "postgresql" else "SQLite (FTS5)"
    body = (
        f"`bench/documents_search.py`, {engine}: {n:,} generated documents (ten years, {AGENCIES} agencies, the "
        f"largest holding {int(info['big_share'] * 100)}%), {loaded}. Each query goes "
        f"through `selectors.search_documents` (visibility, filters, ranking, one page of 25, count capped at "
        f"1,000) as a leader of the largest agency, {REPEAT} runs after one warm-up; times in ms.\n\n"
        + table(["query", "words", "shown", "matches", "p50 ms", "p99 ms"], rows)
        + f"\n\nRegistering incoming documents (`services.register_incoming`, no file, register lock + search "
        f"index + audit entry): {info['per_second']:.0f} per second, one process.\n")
    report.section(TITLE, combine(report, "PostgreSQL" if info["vendor"] == "postgresql" else "SQLite", body),
                   machine_info=False)


def combine(report: Report, engine: str, body: str) -> str:
    """The section with this engine's subsection replaced and the other engine's kept."""
    import re

    path = getattr(report, "path", REPORT)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    section = re.search(rf"^## {re.escape(TITLE)}[ \t]*\n(.*?)(?=^## |\Z)", current, re.MULTILINE | re.DOTALL)
    parts = {}
    if section:
        for match in re.finditer(r"^### (.+?)[ \t]*\n(.*?)(?=^### |\Z)", section.group(1), re.MULTILINE | re.DOTALL):
            parts[match.group(1)] = match.group(2).strip()
    parts[engine] = f"{body.strip()}\n\n{machine_line()}"
    intro = ("Search p50/p99 over generated documents, the same service on both engines. Run "
             "`python -m bench documents_search` (SQLite) and with `EGOV_DATABASE_URL` set (PostgreSQL).")
    # Other subsections (notes on plans) are written by hand and kept after the figures.
    names = [name for name in ("SQLite", "PostgreSQL") if name in parts] + [
        name for name in parts if name not in ("SQLite", "PostgreSQL")]
    return intro + "\n\n" + "\n\n".join(f"### {name}\n\n{parts[name]}" for name in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("EGOV_BENCH_DOCUMENTS", DEFAULT_N)))
    parser.add_argument("--database-url", default=os.environ.get("EGOV_DATABASE_URL", ""))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    run(Report(write=not args.no_write), n=args.n, database_url=args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
