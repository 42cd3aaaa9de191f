"""Search: the same results with or without diacritics, over metadata and PDF text, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from egov.documents import search, services
from egov.documents.selectors import Filters, search_documents
from egov.documents.services import Target
from tests.documents.conftest import decision_pdf, doc_type, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    made = {}
    made["cchc"] = services.register_incoming(
        actor=world.clerk, agency=world.agency, doc_type=doc_type("QĐ"), number_symbol="838/QĐ-UBND",
        summary="Về việc phê duyệt Kế hoạch cải cách hành chính năm 2026", issuer_name="Ủy ban nhân dân thành phố Huế",
        issued_on=dt.date(2026, 3, 29),
        uploads=[pdf_upload(decision_pdf(summary="Về việc phê duyệt Kế hoạch cải cách hành chính năm 2026"))])
    made["cds"] = services.register_incoming(
        actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), number_symbol="7303/UBND-VP",
        summary="V/v triển khai chuyển đổi số", issuer_name="Sở Khoa học và Công nghệ", issued_on=dt.date(2026, 8, 15))
    made["dat"] = services.register_incoming(
        actor=world.clerk, agency=world.agency, doc_type=doc_type("BC"), number_symbol="45/BC-SNNMT",
        summary="Báo cáo tình hình giao đất, cho thuê đất", issuer_name="Sở Nông nghiệp và Môi trường",
        issued_on=dt.date(2025, 11, 2))
    return made


def ids(page):
    return {d.pk for d in page.results}


@pytest.mark.parametrize("query", ["cải cách hành chính", "cai cach hanh chinh", "CẢI CÁCH", "cai cach", "838/QĐ"])
def test_search_ignores_diacritics_and_case(world, library, query):
    page = search_documents(world.leader, Filters(q=query))
    assert ids(page) == {library["cchc"].pk}, connection.vendor


def test_search_finds_words_of_the_pdf_text(world, library):
    # "Nghị định số 30/2020" is only in the PDF body
    assert ids(search_documents(world.leader, Filters(q="nghi dinh 30"))) == {library["cchc"].pk}


def test_prefix_words_and_all_words_must_match(world, library):
    assert ids(search_documents(world.leader, Filters(q="chuyen doi"))) == {library["cds"].pk}
    assert ids(search_documents(world.leader, Filters(q="chuyển đổi đất"))) == set()
    assert ids(search_documents(world.leader, Filters(q="đất"))) == {library["dat"].pk}


def test_filters_by_type_issuer_dates_status_and_handler(world, library):
    leader = world.leader
    assert ids(search_documents(leader, Filters(doc_type="CV"))) == {library["cds"].pk}
    assert ids(search_documents(leader, Filters(issuer="so khoa hoc"))) == {library["cds"].pk}
    assert ids(search_documents(leader, Filters(date_from=dt.date(2026, 1, 1)))) == {library["cchc"].pk, library["cds"].pk}
    assert ids(search_documents(leader, Filters(date_to=dt.date(2025, 12, 31)))) == {library["dat"].pk}
    services.assign(actor=leader, document=library["dat"], targets=[Target("lead", user=world.specialist)])
    assert ids(search_documents(leader, Filters(status="in_progress"))) == {library["dat"].pk}
    assert ids(search_documents(leader, Filters(handler=world.specialist.pk, q="dat"))) == {library["dat"].pk}


def test_search_is_scoped_by_visibility(world, other_world, library):
    assert ids(search_documents(other_world.leader, Filters(q="cai cach"))) == set()
    assert ids(search_documents(world.specialist, Filters(q="cai cach"))) == set()
    services.assign(actor=world.leader, document=library["cchc"], targets=[Target("lead", department=world.economy)])
    assert ids(search_documents(world.specialist, Filters(q="cai cach"))) == {library["cchc"].pk}


def test_results_are_paginated_with_a_capped_count(world, library, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    page = search_documents(world.leader, Filters(), per_page=2)
    assert len(page.results) == 2 and page.has_next and page.total is None and page.more_than == 1
    last = search_documents(world.leader, Filters(), page=2, per_page=2)
    assert len(last.results) == 1 and not last.has_next and last.total == 3


def test_reindex_after_a_change_keeps_one_entry(world, library):
    document = library["dat"]
    document.summary = "Báo cáo về rừng phòng hộ"
    document.save()
    search.index_document(document)
    assert ids(search_documents(world.leader, Filters(q="rung phong ho"))) == {document.pk}
    assert ids(search_documents(world.leader, Filters(q="giao dat"))) == set()


def test_query_syntax_characters_are_read_as_plain_text(world, library):
    everything = {document.pk for document in library.values()}
    for query in ['"', "*", "-"]:  # punctuation alone is no word: as if the box were empty
        assert ids(search_documents(world.leader, Filters(q=query))) == everything, query
    for query in ["NEAR(", "a AND", "'; DROP"]:  # the engines' operators are words like any other
        assert ids(search_documents(world.leader, Filters(q=query))) == set(), query
    assert ids(search_documents(world.leader, Filters(q="đất)"))) == {library["dat"].pk}  # a bracket hides no word
    assert ids(search_documents(world.leader, Filters())) == everything  # nothing was dropped


def test_words_rank_the_newest_matches_and_cap_the_count(world, library, monkeypatch):
    extra = services.register_incoming(
        actor=world.clerk, agency=world.agency, doc_type=doc_type("KH"), issuer_name="Sở Nội vụ",
        summary="Kế hoạch cải cách hành chính: cải cách thủ tục, cải cách tổ chức bộ máy, cải cách công vụ")
    page = search_documents(world.leader, Filters(q="cai cach"))
    assert [d.pk for d in page.results] == [extra.pk, library["cchc"].pk]  # more mentions rank first
    assert page.total == 2
    monkeypatch.setattr(search, "RANK_WINDOW", 1)
    page = search_documents(world.leader, Filters(q="cai cach"))
    assert [d.pk for d in page.results] == [extra.pk] and page.total is None and page.more_than == 1


def test_words_with_type_and_years_use_the_index_filters(world, library):
    leader = world.leader
    assert ids(search_documents(leader, Filters(q="cai cach", doc_type="QĐ"))) == {library["cchc"].pk}
    assert ids(search_documents(leader, Filters(q="cai cach", doc_type="CV"))) == set()
    span = Filters(q="dat", date_from=dt.date(2024, 6, 1), date_to=dt.date(2026, 1, 31))
    assert ids(search_documents(leader, span)) == {library["dat"].pk}
    span = Filters(q="dat", date_from=dt.date(2025, 11, 3), date_to=dt.date(2026, 1, 31))
    assert ids(search_documents(leader, span)) == set()  # same years, outside the dates
    assert ids(search_documents(leader, Filters(q="7303/UBND-VP"))) == {library["cds"].pk}
    assert ids(search_documents(leader, Filters(q="7303/ubnd-vpx"))) == set()  # symbols are whole words


def test_an_outgoing_document_is_found_by_its_year_once_issued(world):

    draft = services.create_draft(actor=world.specialist, doc_type=doc_type("TB"), summary="Thông báo lịch trực Tết",
                                  signer=world.leader, upload=pdf_upload(), external_recipients=[("Sở A", "")])
    services.submit_for_review(actor=world.specialist, document=draft, reviewers=[])
    services.approve_outgoing(actor=world.leader, document=draft)
    services.issue_outgoing(actor=world.clerk, document=draft, issued_on=dt.date(2026, 2, 2))
    found = search_documents(world.leader, Filters(q="lich truc tet", doc_type="TB", date_from=dt.date(2026, 1, 1),
                                                   date_to=dt.date(2026, 12, 31)))
    assert ids(found) == {draft.pk}


SUBJECTS = ["chuyển đổi số", "đất đai", "hộ tịch", "chữ ký số", "cải cách hành chính"]


@pytest.fixture
def varied(world, other_world, monkeypatch):
    """Thirty documents in slices of four ids: words from every document to two of them, with
    and without diacritics, types, years, statuses, one handled by the specialist, and another
    agency's documents between them."""
    monkeypatch.setattr(search, "SLICE_BITS", 2)
    monkeypatch.setattr(search, "SLICE_IDS", 4)
    made = []
    for i in range(30):
        subject = "hộ tịch" if i in (3, 17) else SUBJECTS[i % 4] if i % 3 else "chuyển đổi số"
        where = world if i % 5 else other_world
        document = services.register_incoming(
            actor=where.clerk, agency=where.agency, doc_type=doc_type(["CV", "QĐ", "KH"][i % 3]),
            summary=f"V/v triển khai {subject} " + "báo cáo " * (i % 4), number_symbol=f"{100 + i}/UBND-VP",
            issuer_name="Sở Tư pháp" if i % 2 else "Sở Nội vụ", issued_on=dt.date(2022 + i % 4, 1 + i % 12, 10))
        made.append(document)
    services.assign(actor=world.leader, document=made[8], targets=[Target("lead", user=world.specialist)])
    return made


QUERIES = [Filters(q="chuyển đổi số"), Filters(q="chuyen doi s"), Filters(q="ho tich"), Filters(q="bao cao"),
           Filters(q="so"), Filters(q="101/UBND-VP"), Filters(q="khong co"),
           Filters(q="dat dai", doc_type="QĐ"), Filters(q="chu ky", status="registered"),
           Filters(q="trien khai", issuer="tu phap", date_from=dt.date(2023, 1, 1), date_to=dt.date(2024, 12, 31))]
PLANS = {"walk newest first": {"WALK_SHARE": 0.0}, "slices": {"WALK_SHARE": 2.0, "PLAIN_FACTOR": 0},
         "slices, prefix tested on rows": {"WALK_SHARE": 2.0, "PLAIN_FACTOR": 0, "PREFIX_SHARE": 0.0},
         "slices one at a time": {"WALK_SHARE": 2.0, "PLAIN_FACTOR": 0, "MAX_SLICES": 1},
         "everything at once": {"WALK_SHARE": 2.0, "PLAIN_FACTOR": 10**6}}


def straightforward(actor, filters, window):
    """Every visible match, newest `window` by id, ranked: what the search must return."""
    from egov.documents.selectors import _scope, filtered

    match, words = search.fts_query(filters.q, _scope(actor, filters))
    matched = search.apply_text(filtered(actor, filters), match, words)
    newest = list(matched.order_by("-id").values_list("id", flat=True))
    return search.rank(newest[:window], match), len(newest)


@pytest.mark.parametrize("plan", list(PLANS))
def test_every_plan_finds_the_newest_matches_in_the_same_order(world, varied, monkeypatch, plan):
    if connection.vendor != "postgresql" and plan != "walk newest first":
        pytest.skip("the plans are PostgreSQL's; SQLite has one")
    window = 4
    monkeypatch.setattr(search, "RANK_WINDOW", window)
    monkeypatch.setattr(search, "_statistics", {})
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    for actor in (world.leader, world.specialist):
        for filters in QUERIES:
            expected, matches = straightforward(actor, filters, window)
            page = search_documents(actor, filters, per_page=3)
            rest = search_documents(actor, filters, page=2, per_page=3)
            assert [d.pk for d in page.results + rest.results] == expected, (filters, connection.vendor)
            assert (page.total, page.more_than) == ((matches, None) if matches <= window else (None, window))
    assert straightforward(world.leader, Filters(q="chuyen doi so"), window)[1] > window  # slices were needed
