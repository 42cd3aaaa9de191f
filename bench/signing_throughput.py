"""PAdES signing and verification throughput on one core: a 1-page and a 50-page document.

    python -m bench signing_throughput
    EGOV_BENCH_RUNS=1 python -m bench --no-write signing_throughput   # quick look

Each figure is the median of 3 runs; a run signs (or verifies) the same document N times in a
row in this process. Signing adds a visible Vietnamese stamp (font subset embedded) and writes
one incremental update; "with PKCS#12 opening" also opens the stored .p12 each time, as
`sign_for_official` does (the key is decrypted only for the signature being made). Verification
checks the signature, the changes after it and the chain to the trusted root (no revocation
fetch). B-T asks the loopback RFC 3161 server of the tests for a timestamp.
"""

from __future__ import annotations

import os
import statistics
import time

from bench.common import Report, log, table

TITLE = "Signing: PAdES signatures and verifications per second"
RUNS = int(os.environ.get("EGOV_BENCH_RUNS", "3"))
SIGNS = {1: 10, 50: 6}
VERIFIES = {1: 20, 50: 10}


def make_document(pages: int) -> bytes:
    from egov.core.pdf import new_pdf, pdf_bytes

    pdf = new_pdf(title="Quyết định thử nghiệm")
    for n in range(1, pages + 1):
        pdf.add_page()
        for line in range(25):
            pdf.multi_cell(0, 7, f"Điều {line + 1}. Nội dung quyết định về cải cách hành chính — trang {n}/{pages}.",
                           new_x="LMARGIN", new_y="NEXT")
    return pdf_bytes(pdf)


def rate(fn, count: int) -> tuple[float, float]:
    """(operations per wall-clock second, operations per CPU second of this process) over
    `count` calls, each the median of RUNS runs, after one warm-up call. The CPU figure is what
    one core does when nothing else runs; the wall figure also shows the machine's other load."""
    fn()
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            fn()
        wall.append(count / (time.perf_counter() - started))
        cpu.append(count / max(time.process_time() - started_cpu, 1e-9))
    return statistics.median(wall), statistics.median(cpu)


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[1]:.1f} ({pair[0]:.1f})"


def run(report: Report) -> None:
    from egov.signing.pades import StampSpec, load_pkcs12, sign_pdf, verify_pdf
    from egov.signing.tsa import TimestampServer

    with TimestampServer() as tsa:
        pki = tsa.pki
        p12 = pki.person.to_pkcs12(b"mat-khau")
        identity = load_pkcs12(p12, b"mat-khau")
        stamp = StampSpec(signer_name="Nguyễn Văn An", position="Chủ tịch", agency="Ủy ban nhân dân xã Thử Nghiệm")
        rows = []
        for pages in (1, 50):
            document = make_document(pages)
            size_kb = len(document) / 1024
            n, m = SIGNS[pages], VERIFIES[pages]
            sign = rate(lambda doc=document: sign_pdf(doc, identity=identity, stamp=stamp), n)
            sign_p12 = rate(lambda doc=document: sign_pdf(doc, identity=load_pkcs12(p12, b"mat-khau"), stamp=stamp), n)
            sign_bt = rate(lambda doc=document: sign_pdf(doc, identity=identity, stamp=stamp,
                                                    timestamp_url=tsa.timestamp_url), n)
            signed = sign_pdf(document, identity=identity, stamp=stamp)
            roots = pki.trust_roots
            report_once = verify_pdf(signed, trust_roots=roots)
            assert report_once.valid, report_once.summary
            verify = rate(lambda pdf=signed, r=roots: verify_pdf(pdf, trust_roots=r), m)
            log(f"{pages} page(s), {size_kb:.0f} KB: sign {fmt(sign)}/s, with p12 {fmt(sign_p12)}/s, "
                f"B-T {fmt(sign_bt)}/s, verify {fmt(verify)}/s")
            rows.append([f"{pages} ({size_kb:,.0f} KB)", fmt(sign), fmt(sign_p12), fmt(sign_bt), fmt(verify)])
    body = (
        "`bench/signing_throughput.py`: pyHanko over the test PKI (RSA-2048, SHA-256), in one process "
        "(one core busy). Documents are egov-generated A4 pages of Vietnamese text (DejaVu Sans "
        f"embedded). Median of {RUNS} runs of {SIGNS[1]} (1 page) / {SIGNS[50]} (50 pages) operations "
        "after a warm-up. Each cell: operations per CPU-second of the benchmark process (one core "
        "to itself), then in brackets per wall-clock second (lower when other work shares the "
        "machine; B-T also waits for the TSA).\n\n"
        + table(["pages", "signatures/s (B-B, stamp)", "… with PKCS#12 opening", "signatures/s (B-T, loopback TSA)",
                 "verifications/s"], rows)
        + "\n\nA signature is mostly pyHanko's own work (parsing, the incremental update, the CMS structure) "
        "and the stamp's font subset (the stamp font is cut to Vietnamese Latin for this); the RSA "
        "operation is a millisecond. Opening the PKCS#12 (its key derivation) adds a few hundredths of "
        "a second, B-T the round trip to the TSA and the check of its token. Verification grows with "
        "the file's size and its number of signatures; these egov-generated pages compress well, so "
        "50 pages is still a small file. Wall-clock figures depend on what else the machine runs (the "
        "load average is printed below); a server with N free cores serves about N times the CPU rates."
    )
    report.section(TITLE, body)
