"""The demo set: dossiers in every state for the demo agencies, consistent statistics."""

import pytest

from egov.dossiers import demo
from egov.dossiers.models import BUCKETS, Dossier
from egov.dossiers.selectors import dossier_stats
from egov.notify.models import SmsMessage
from egov.org import demo as org_demo
from egov.procedures import demo as procedures_demo

pytestmark = pytest.mark.django_db


def test_demo_without_procedures_says_why_and_adds_nothing():
    lines = []
    demo.load(lines.append)
    assert Dossier.objects.count() == 0 and "chưa có" in lines[0]


def test_demo_dossiers_cover_every_state(settings):
    org_demo.load(lambda line: None)
    procedures_demo.load(lambda line: None)
    lines = []
    demo.load(lines.append)
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses >= {"submitted", "received", "in_progress", "waiting_supplement", "transferred", "approved",
                        "rejected", "returned", "refused", "withdrawn"}
    outcomes = set(Dossier.objects.exclude(outcome=None).values_list("outcome", flat=True))
    assert outcomes == {"early", "on_time", "late"}
    assert Dossier.objects.filter(apologies__isnull=False).exists()
    figures = dossier_stats()
    assert sum(figures[b.name] for b in BUCKETS) == figures["received"] > 30
    assert figures["in_progress_overdue"] >= 1
    assert SmsMessage.objects.filter(direction="in").count() == 1
    assert "hồ sơ mẫu" in lines[-1]


def test_demo_builds_each_sample_paper_pdf_once(monkeypatch):
    """The sample scans are cached by paper name: building one PDF per uploaded paper made the
    demo load take 20 s (fpdf2 parses the font for each), which every browser test paid."""
    org_demo.load(lambda line: None)
    procedures_demo.load(lambda line: None)
    demo._paper_pdf.cache_clear()
    built = []
    real_new_pdf = demo.new_pdf
    monkeypatch.setattr(demo, "new_pdf", lambda **kw: built.append(kw["title"]) or real_new_pdf(**kw))
    demo.load(lambda line: None)
    uploaded = set(Dossier.objects.values_list("files__label", flat=True)) - {None}
    assert sorted(built) == sorted(set(built)) and set(built) == uploaded
    assert Dossier.objects.filter(files__isnull=False).distinct().count() > len(built)
