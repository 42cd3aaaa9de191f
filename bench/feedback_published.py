"""The public list of published feedback answers with search, at 100,000 answers, p99 < 100 ms.

100,000 answered feedback with their published answers are bulk-inserted into a fresh site
(SQLite, or PostgreSQL with EGOV_DATABASE_URL), then each query is timed in one process through
Django's test client and the whole stack (middleware, view, template or JSON), REPEAT times after
a warm-up: the public API `GET /api/v1/feedback/published?q=` and, when the citizen pages are
there, the public list page. `search.published` alone is timed too (one page of 20 + capped count).

    python -m bench feedback_published
    EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench feedback_published
    EGOV_BENCH_ANSWERS=20000 python -m bench --no-write feedback_published
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys
import time

from bench.common import REPORT, Report, demo_site, log, machine_line, table

TITLE = "Feedback: public list and search of published answers"
DEFAULT_N = 100_000
REPEAT = int(os.environ.get("EGOV_BENCH_REPEAT", "60"))
PER_PAGE = 20
TARGET_MS = 100
BATCH = 2000

SUBJECTS = ["Đường hư hỏng, nhiều ổ gà", "Đèn chiếu sáng công cộng không hoạt động", "Rác thải tồn đọng",
            "Nước sinh hoạt bị đục", "Tiếng ồn từ quán karaoke", "Lấn chiếm vỉa hè", "Cây xanh có nguy cơ gãy đổ",
            "Ngập úng sau mưa", "Thủ tục cấp giấy phép xây dựng chậm", "Xe quá tải làm hỏng đường",
            "Cống thoát nước bị tắc", "Đề nghị lắp đèn tín hiệu giao thông", "Khói bụi từ cơ sở sản xuất",
            "Trẻ em không có sân chơi", "Chợ tạm gây mất trật tự"]
PLACES = ["phường Thuận Hóa", "phường Phú Xuân", "phường Kim Long", "phường Vỹ Dạ", "xã Phú Vang", "xã Quảng Điền",
          "phường Hương Thủy", "phường Hương Trà", "xã Phong Điền", "xã A Lưới", "phường Thủy Xuân", "xã Phú Lộc"]
STREETS = ["Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Điện Biên Phủ", "Bà Triệu", "Lý Thường Kiệt",
           "Nguyễn Trãi", "Phan Đình Phùng", "Đống Đa", "Hai Bà Trưng", "Ngô Quyền"]
ANSWER = ("Ủy ban nhân dân {place} đã tiếp nhận phản ánh về việc {subject_lower} trên đường {street}. Qua kiểm tra "
          "thực tế, đơn vị đã phối hợp với các phòng chuyên môn và đơn vị quản lý khắc phục trong thời gian sớm nhất. "
          "Công việc dự kiến hoàn thành trước ngày {day}. Ủy ban nhân dân {place} cảm ơn người dân đã phản ánh và mong "
          "tiếp tục nhận được ý kiến đóng góp để công tác quản lý đô thị ngày càng tốt hơn.{extra}")
# One answer in RARE_EVERY mentions the rare word: a search that finds a few dozen answers.
RARE_WORD = "Quảng Thành Hưng"
RARE_EVERY = 2000

QUERIES = [
    ("no words (page 1)", "", 1),
    ("no words (page 50)", "", 50),
    ("common word, diacritics", "đường", 1),
    ("common word, none", "duong", 1),
    ("two words", "chieu sang", 1),
    ("phrase of a subject", "cống thoát nước bị tắc", 1),
    ("common word, page 20", "phuong", 20),
    (f"rare ({100 // RARE_EVERY or 1}/{RARE_EVERY // 100}00 answers)", "quang thanh hung", 1),
    ("no match", "xyzzy", 1),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def bulk_load(n: int) -> float:
    """n answered feedback and their published answers, newest last; seconds taken."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from egov.core.text import fold
    from egov.feedback import search
    from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackField
    from egov.org.models import AdministrativeUnit, Agency

    started = time.perf_counter()
    agency = Agency.objects.create(code="000.00.99.B98", name="Ủy ban nhân dân thử", short_name="UBND")
    author = get_user_model().objects.create(username="bench.feedback", full_name="Chuyên viên thử")
    fields = [FeedbackField.objects.get_or_create(code=f"bench-{i}", defaults={"name": f"Lĩnh vực {i}"})[0]
              for i in range(8)]
    units = list(AdministrativeUnit.objects.order_by("code")[:12])
    rng = random.Random(12)
    end = timezone.now()
    start = end - dt.timedelta(days=5 * 365)
    step = (end - start) / n
    with transaction.atomic() if connection.vendor == "sqlite" else _nothing():
        for first in range(0, n, BATCH):
            feedback, texts = [], []
            for i in range(first, min(n, first + BATCH)):
                at = start + step * i
                subject = rng.choice(SUBJECTS)
                place = rng.choice(PLACES)
                extra = f" Ý kiến liên quan khu vực {RARE_WORD}." if i % RARE_EVERY == 7 else ""
                text = ANSWER.format(place=place, subject_lower=subject.lower(), street=rng.choice(STREETS),
                                     day=(at + dt.timedelta(days=20)).strftime("%d/%m/%Y"), extra=extra)
                feedback.append(Feedback(
                    code=f"PA-B{i:07d}", subject=f"{subject} tại {place}", content=text, sender_phone="0912345678",
                    field=rng.choice(fields), unit=rng.choice(units) if units else None, agency=agency,
                    status=Feedback.Status.ANSWERED, publish_consent=True, confirmed_at=at, answered_at=at,
                    search_folded=fold(subject)[:400]))
                texts.append((f"{subject} tại {place}", text, at))
            created = Feedback.objects.bulk_create(feedback)
            if created[0].pk is None:  # SQLite before RETURNING: read the ids back
                ids = dict(Feedback.objects.filter(code__in=[f.code for f in feedback]).values_list("code", "pk"))
                for f in created:
                    f.pk = ids[f.code]
            FeedbackAnswer.objects.bulk_create([
                FeedbackAnswer(feedback_id=f.pk, text=text, status=FeedbackAnswer.Status.APPROVED, agency=agency,
                               drafted_by=author, decided_by=author, decided_at=at, is_published=True,
                               public_subject=subject, public_text=text, published_at=at,
                               search_folded=search.folded_for(FeedbackAnswer(public_subject=subject, public_text=text)))
                for f, (subject, text, at) in zip(created, texts, strict=True)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def page_url() -> str | None:
    """The citizen lane's public list of answers, when it is there."""
    from django.urls import NoReverseMatch, reverse

    for name in ("feedback-published",):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


CPU: dict[str, float] = {}


def timed(fn, name: str = "") -> tuple[float, float, object]:
    """Wall-clock p50 and p99 in ms; the p99 of this process's CPU time goes to CPU[name] (the
    figure other work on the machine barely moves: all of it on SQLite, Django's share on PostgreSQL)."""
    fn()  # warm-up: the plan, the caches
    times, cpu, result = [], [], None
    backend = backend_cpu()
    for _ in range(REPEAT):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    CPU[name] = percentile(cpu, 0.99)
    if backend is not None:  # the server's share: only in clock ticks, so a mean per request
        CPU[name + ":db"] = (backend_cpu() - backend) * 1000 / REPEAT
    return percentile(times, 0.5), percentile(times, 0.99), result


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (from /proc, same machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(n: int) -> tuple[list[list], dict]:
    from django.db import connection
    from django.test import Client

    from egov.core.views import CappedPaginator
    from egov.feedback import search

    load_s = bulk_load(n)
    log(f"{n:,} published answers loaded in {load_s:.0f} s")
    client = Client()
    page = page_url()
    rows, worst = [], 0.0
    for label, q, number in QUERIES:
        def selector(q=q, number=number):
            paginator = CappedPaginator(search.published(q), PER_PAGE)
            shown = paginator.get_page(number)
            return len(list(shown.object_list)), paginator.count

        s50, s99, (shown, total) = timed(selector)
        offset = (number - 1) * PER_PAGE

        def api(q=q, offset=offset):
            response = client.get("/api/v1/feedback/published", {"q": q, "limit": PER_PAGE, "offset": offset})
            assert response.status_code == 200, response.content[:300]
            return response

        try:
            a50, a99, _ = timed(api)
        except (AssertionError, Exception) as exc:  # noqa: BLE001 -- the API may not be there yet
            log(f"API not measured: {str(exc)[:120]}")
            a50 = a99 = None
        p50 = p99 = None
        if page:
            def html(q=q, number=number):
                response = client.get(page, {"q": q, "page": number})
                assert response.status_code == 200
                return response

            p50, p99, _ = timed(html, "page")
        worst = max(worst, s99, a99 or 0, p99 or 0)
        count = f"> {search.COUNT_CAP:,}" if total > search.COUNT_CAP else f"{total:,}"
        rows.append([label, f"`{q}`" if q else "", number, shown, count, f"{s50:.1f}", f"{s99:.1f}",
                     f"{a50:.1f}" if a50 is not None else "–", f"{a99:.1f}" if a99 is not None else "–",
                     f"{p50:.1f}" if p50 is not None else "–", f"{p99:.1f}" if p99 is not None else "–",
                     f"{CPU.get('page', 0):.1f}" if p99 is not None else "–",
                     f"{CPU['page:db']:.1f}" if p99 is not None and "page:db" in CPU else "–"])
        log(f"{label:<32} selector p99 {s99:6.1f}  API p99 {a99 or 0:6.1f}  page p99 {p99 or 0:6.1f} ms ({count})")
    return rows, {"vendor": connection.vendor, "load_s": load_s, "worst": worst, "page": page}


def run(report: Report, *, n: int | None = None, database_url: str | None = None) -> None:
    n = n or int(os.environ.get("EGOV_BENCH_ANSWERS", DEFAULT_N))
    database_url = database_url if database_url is not None else os.environ.get("EGOV_DATABASE_URL", "")
    with demo_site(database_url=database_url or None, demo=False) as site:
        site.env["EGOV_RATE_TRACKING"] = "0"
        site.django()
        rows, info = measure(n)
    engine = "PostgreSQL" if info["vendor"] == "postgresql" else "SQLite"
    verdict = "met" if info["worst"] < TARGET_MS else "NOT met"
    body = (f"`bench/feedback_published.py`, {engine}: {n:,} answered feedback with published answers "
            f"(five years, about 700 characters of public text each) bulk-loaded in {info['load_s']:.0f} s. "
            f"One process, Django's test client through the whole stack, {REPEAT} runs after a warm-up; ms. "
            f"selector: `search.published(q)` with `core.views.CappedPaginator` (page of {PER_PAGE}, count capped "
            f"at {10_000:,}); API: `GET /api/v1/feedback/published?q=&limit={PER_PAGE}&offset=`; page: "
            f"{('`' + info['page'] + '?q=&page=`') if info['page'] else '(the public page was not there yet)'}. "
            f"Target p99 < {TARGET_MS} ms: {verdict} (worst wall-clock p99 {info['worst']:.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores while measuring). The last column is "
            f"the page's CPU time in this process, which other work on the machine barely moves (on SQLite "
            f"all of the request, on PostgreSQL without the database server's share, which the last column "
            f"gives: the CPU of this connection's PostgreSQL backend per page, a mean since /proc counts it "
            f"in 10 ms ticks).\n\n"
            + table(["query", "q", "page", "shown", "matches", "selector p50", "selector p99", "API p50",
                     "API p99", "page p50", "page p99", "page CPU p99", "PostgreSQL CPU mean"], rows))
    report.section(TITLE, combine(report, engine, body), machine_info=False)


def combine(report: Report, engine: str, body: str) -> str:
    """The section with this engine's subsection replaced and the other engine's kept."""
    path = getattr(report, "path", REPORT)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    section = re.search(rf"^## {re.escape(TITLE)}[ \t]*\n(.*?)(?=^## |\Z)", current, re.MULTILINE | re.DOTALL)
    parts = {}
    if section:
        for match in re.finditer(r"^### (.+?)[ \t]*\n(.*?)(?=^### |\Z)", section.group(1), re.MULTILINE | re.DOTALL):
            parts[match.group(1)] = match.group(2).strip()
    parts[engine] = f"{body.strip()}\n\n{machine_line()}"
    intro = ("Published answers are found by a LIKE on their folded text while walking the partial index "
             "(published_at DESC) newest first; counts stop at 10,001 (see `src/egov/feedback/search.py`). Run "
             "`python -m bench feedback_published` (SQLite) and with `EGOV_DATABASE_URL` set (PostgreSQL).")
    names = [name for name in ("SQLite", "PostgreSQL") if name in parts]
    return intro + "\n\n" + "\n\n".join(f"### {name}\n\n{parts[name]}" for name in names)


def main() -> int:
    report = Report(write="--no-write" not in sys.argv)
    run(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
