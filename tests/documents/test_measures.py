"""Measures: electronic exchange, digital signatures, handling on time vs late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.documents import services
from egov.documents.measures import document_measures
from egov.documents.models import Assignment
from egov.documents.services import Target
from tests.documents.conftest import decision_pdf, doc_type, pdf_upload
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


def test_measures_per_agency_and_period(world, other_world):
    today = timezone.localdate()
    child = make_agency(parent=world.agency, name="Đơn vị trực thuộc")
    # incoming: one paper (typed in), one uploaded
    paper = services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), summary="V/v giấy")
    services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), summary="V/v tệp",
                               uploads=[pdf_upload()])
    # outgoing: signed, delivered to a unit below, to another agency, and to an external address
    draft = services.create_draft(actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc thử",
                                  signer=world.leader, upload=pdf_upload(), recipients=[child, other_world.agency],
                                  external_recipients=[("Bộ Nội vụ", "")])
    services.submit_for_review(actor=world.specialist, document=draft, reviewers=[])
    services.approve_outgoing(actor=world.leader, document=draft, signed_pdf=decision_pdf())
    services.issue_outgoing(actor=world.clerk, document=draft)
    unsigned = services.create_draft(actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc thử 2",
                                     signer=world.leader, upload=pdf_upload(), external_recipients=[("Sở A", "")])
    services.submit_for_review(actor=world.specialist, document=unsigned, reviewers=[])
    services.approve_outgoing(actor=world.leader, document=unsigned)
    services.issue_outgoing(actor=world.clerk, document=unsigned)
    # handling: one on time, one late, one open and overdue
    a1, = services.assign(actor=world.leader, document=paper, targets=[Target("lead", user=world.specialist)],
                          deadline=today)
    services.complete_assignment(actor=world.specialist, assignment=a1)
    other = services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), summary="V/v muộn")
    a2, a3 = services.assign(actor=world.leader, document=other, deadline=today,
                             targets=[Target("lead", user=world.head), Target("cooperate", user=world.colleague)])
    Assignment.objects.filter(pk__in=[a2.pk, a3.pk]).update(deadline=today - dt.timedelta(days=1))
    a2.refresh_from_db()
    services.complete_assignment(actor=world.head, assignment=a2)

    m = document_measures(world.agency, today - dt.timedelta(days=1), today)
    assert (m.incoming, m.incoming_electronic) == (3, 1)
    assert (m.outgoing_deliveries, m.outgoing_electronic, m.outgoing_inside_tree) == (4, 2, 1)
    assert m.electronic_share == round(100 * 3 / 7, 1)
    assert m.electronic_inside_share == round(100 * 1 / 7, 1)
    assert m.electronic_with_others_share == round(100 * 2 / 7, 1)
    assert (m.issued, m.issued_signed, m.signed_share) == (2, 1, 50.0)
    assert (m.handled_on_time, m.handled_late, m.open_overdue) == (1, 1, 1)
    assert m.on_time_share == 50.0
    # the receiving agency counts its delivery as electronic, from another agency
    received = document_measures(other_world.agency, today, today)
    assert (received.incoming, received.incoming_electronic, received.incoming_internal) == (1, 1, 1)
    assert received.incoming_inside_tree == 0
    # another period: nothing
    empty = document_measures(world.agency, today - dt.timedelta(days=30), today - dt.timedelta(days=10))
    assert empty.incoming == 0 and empty.electronic_share is None and empty.signed_share is None
