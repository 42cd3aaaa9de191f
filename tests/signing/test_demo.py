"""The demo: leaders and clerks sign out of the box, and the result verifies as valid."""

import pytest

from egov.org import demo as org_demo
from egov.org.models import Agency, User
from egov.signing import demo, services
from egov.signing.models import SigningCertificate, TrustedRoot


@pytest.fixture
def demo_signing(db, signing_settings):
    org_demo.load(lambda line: None)
    demo.load(lambda line: None)


def test_demo_leader_and_clerk_sign_and_the_document_verifies(demo_signing, document):
    leader = User.objects.get(username="ubnd.lanhdao")
    clerk = User.objects.get(username="ubnd.vanthu")
    signed = services.sign_for_official(actor=leader, pdf=document)
    issued = services.sign_for_agency(actor=clerk, agency=clerk.official.agency, pdf=signed)

    report = services.verify_and_summarise(issued)
    assert report.verdict == "valid", report.summary
    assert [s.signer for s in report.signatures] == [leader.full_name, clerk.official.agency.name]


def test_every_demo_leader_and_agency_has_a_certificate(demo_signing):
    assert TrustedRoot.objects.count() == 1
    for agency in Agency.objects.all():
        assert SigningCertificate.objects.filter(agency=agency, is_active=True).exists(), agency
    leaders = User.objects.filter(username__endswith=".lanhdao")
    assert SigningCertificate.objects.filter(official__user__in=leaders).count() == leaders.count() > 0
