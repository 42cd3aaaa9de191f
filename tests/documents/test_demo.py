"""The demo set: the Office's clerk, leader and specialist find work waiting for them."""

import pytest

from egov.documents import demo
from egov.documents.models import Document
from egov.documents.selectors import my_tasks, visible_documents
from egov.org import demo as org_demo
from egov.org.models import User


@pytest.fixture
def demo_documents(db):
    org_demo.load(lambda line: None)
    demo.load(lambda line: None)


def test_demo_documents_are_in_every_state_and_delivered(demo_documents):
    clerk, leader, specialist = (User.objects.get(username=f"vp.{s}") for s in ("vanthu", "lanhdao", "chuyenvien"))
    incoming = visible_documents(clerk).filter(direction="incoming")
    assert incoming.count() == 4 and all(d.files.exists() for d in incoming)
    assert {d.number_symbol for d in incoming} >= {"838/QĐ-UBND", "512/SKHCN-CĐS"}
    tasks = list(my_tasks(specialist))
    assert len(tasks) == 2 and any(t.is_overdue() for t in tasks)
    outgoing = {d.status for d in visible_documents(leader).filter(direction="outgoing")}
    assert outgoing == {"draft", "awaiting_signature", "issued"}
    issued = Document.objects.get(direction="outgoing", status="issued")
    assert issued.number_symbol == "01/QĐ-VP"
    assert Document.objects.filter(source=issued).count() == 2
