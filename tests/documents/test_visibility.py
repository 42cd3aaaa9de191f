"""Who sees which document: leaders and clerks their agency's; others what they handle, draft,
review or sign, what was distributed to them and what is published; nobody another agency's."""

import pytest

from egov.documents import services
from egov.documents.selectors import visible_documents
from egov.documents.services import Target
from tests.documents.conftest import doc_type, pdf_upload
from tests.factories import make_agency, make_api_key

pytestmark = pytest.mark.django_db


def seen(actor):
    return set(visible_documents(actor).values_list("pk", flat=True))


def test_visibility_rules(world, other_world):
    register = lambda summary: services.register_incoming(
        actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), summary=summary)
    handled, informed, department, untouched = (register(s) for s in ("Xử lý", "Để biết", "Phòng", "Chưa giao"))
    services.assign(actor=world.leader, document=handled, targets=[Target("lead", user=world.specialist)])
    services.assign(actor=world.leader, document=informed, targets=[Target("inform", user=world.specialist)])
    services.assign(actor=world.leader, document=department, targets=[Target("lead", department=world.economy)])
    draft = services.create_draft(actor=world.colleague, doc_type=doc_type("QĐ"), summary="Dự thảo", signer=world.leader,
                                  upload=pdf_upload(), external_recipients=[("Sở A", "")])
    theirs = services.register_incoming(actor=other_world.clerk, agency=other_world.agency, doc_type=doc_type("CV"),
                                        summary="Của cơ quan khác")
    everything = {handled.pk, informed.pk, department.pk, untouched.pk, draft.pk}
    assert seen(world.leader) == everything
    assert seen(world.clerk) == everything
    assert seen(world.specialist) == {handled.pk, informed.pk, department.pk}
    assert seen(world.colleague) == {department.pk, draft.pk}  # same department; own draft
    assert seen(world.outsider) == set()
    assert seen(world.admin) == set()
    assert seen(other_world.leader) == {theirs.pk}
    # reviewers see the draft once it is submitted to them; everyone once it is issued
    services.submit_for_review(actor=world.colleague, document=draft, reviewers=[world.outsider])
    assert draft.pk in seen(world.outsider)
    services.review_draft(actor=world.outsider, document=draft, approve=True)
    services.approve_outgoing(actor=world.leader, document=draft, final_pdf=pdf_upload())
    services.issue_outgoing(actor=world.clerk, document=draft)
    assert draft.pk in seen(world.specialist) and draft.pk not in seen(other_world.leader)


def test_api_keys_see_their_agency_and_the_agencies_below(world, other_world):
    child = make_agency(parent=world.agency)
    from egov.org.roles import Role
    from tests.factories import make_official

    child_clerk = make_official(Role.CLERK, agency=child)
    mine = services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"), summary="A")
    below = services.register_incoming(actor=child_clerk, agency=child, doc_type=doc_type("CV"), summary="B")
    other = services.register_incoming(actor=other_world.clerk, agency=other_world.agency, doc_type=doc_type("CV"),
                                       summary="C")
    key, _ = make_api_key(world.agency, "documents:read")
    assert seen(key) == {mine.pk, below.pk}
    assert other.pk not in seen(key)
