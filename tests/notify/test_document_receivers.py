"""A document given to a person or a department tells them (work.assigned), once."""

import pytest

from egov.documents import services
from egov.documents.models import Document
from egov.documents.services import Target
from egov.documents.signals import document_event
from egov.notify.models import Notification
from tests.documents.conftest import world  # noqa: F401 (the documents' agency, clerk, leader, departments)
from tests.documents.test_incoming import register

pytestmark = pytest.mark.django_db


def test_assigning_a_document_tells_the_person_and_the_department_not_the_leader(world):  # noqa: F811
    document = register(world)
    services.assign(actor=world.leader, document=document, deadline_days=5, instruction="Đề nghị xử lý",
                    targets=[Target("lead", department=world.economy), Target("cooperate", user=world.clerk)])
    told = set(Notification.objects.filter(event="work.assigned", channel="app").values_list("recipient", flat=True))
    assert {world.clerk.pk, world.head.pk, world.specialist.pk, world.colleague.pk} <= told
    assert world.leader.pk not in told
    count = Notification.objects.count()
    document_event.send(Document, document=document, event="assigned")
    assert Notification.objects.count() == count
