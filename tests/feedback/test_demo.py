"""The demo set: the fields of feedback, and feedback in every state with published answers."""

import pytest
from django.utils import timezone

from egov.core.demo import DEMO_APPS
from egov.feedback import demo, services
from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackField
from egov.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_demo_without_agencies_loads_the_fields_and_says_why_it_adds_no_feedback():
    lines = []
    demo.load(lines.append)
    assert FeedbackField.objects.filter(code="dat-dai", name="Đất đai", handling_days=15).exists()
    assert FeedbackField.objects.count() >= 10
    assert Feedback.objects.count() == 0 and "chưa có" in lines[-1]


def test_demo_feedback_covers_every_state_and_publishes_answers_without_personal_data():
    assert DEMO_APPS.index("feedback") > DEMO_APPS.index("org")
    org_demo.load(lambda line: None)
    lines = []
    demo.load(lines.append)
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert statuses == set(Feedback.Status.values)
    assert Feedback.objects.filter(escalated_at__isnull=False).exists()
    assert Feedback.objects.filter(reopen_count=1, status="assigned").exists()
    assert Feedback.objects.filter(duplicate_of__isnull=False).exists()
    published = FeedbackAnswer.objects.filter(is_published=True)
    assert published.count() >= 3
    for answer in published:
        assert "0916777888" not in answer.public_text and "Võ Thị Lan" not in answer.public_text
    assert not FeedbackAnswer.objects.filter(is_published=True, feedback__publish_consent=False).exists()
    assert "phản ánh mẫu" in lines[-1]
    # Dated back, each carries the code of its day; the day's numbers stay gapless.
    for feedback in Feedback.objects.all():
        assert feedback.code[3:9] == timezone.localtime(feedback.created_at).strftime("%y%m%d")
    today = Feedback.objects.filter(code__startswith=timezone.localdate().strftime("PA-%y%m%d-"))
    assert sorted(int(f.code[-4:]) for f in today) == list(range(1, today.count() + 1))
    assert services.submit(subject="Mới", content="Phản ánh mới", phone="0912000999")[0].code.endswith(
        f"-{today.count() + 1:04d}")
