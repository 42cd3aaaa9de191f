"""Demo signing: certificates from a throwaway test CA for every demo leader and agency.

Leaders (`*.lanhdao`) get a personal certificate, every agency an organisation certificate
(used by its clerk at issuing), each stored encrypted like a real one, and the demo root is
trusted, so signing and verifying work out of the box. One PKI is built for the whole set:
RSA keys are the slow part.
"""

from __future__ import annotations

import secrets

from egov.org.models import Agency, Official
from egov.signing.services import add_trusted_root, register_certificate
from egov.signing.testca import build_test_pki

NAME = "signing"
ROOT_NAME = "Chứng thư số gốc trình diễn egov (không dùng cho văn bản thật)"


def load(out) -> None:
    pki = build_test_pki()
    add_trusted_root(actor=None, name=ROOT_NAME, data=pki.root.cert_der)
    leaders = (Official.objects.filter(user__username__endswith=".lanhdao")
               .select_related("user", "agency").order_by("pk"))
    people = 0
    for official in leaders:
        issued = pki.issue_person(official.user.full_name, title=official.position, agency=official.agency.name)
        _register(issued, official=official)
        people += 1
    agencies = 0
    for agency in Agency.objects.filter(is_active=True).order_by("path"):
        _register(pki.issue_organisation(agency.name), agency=agency)
        agencies += 1
    out(f"  {people} chứng thư số lãnh đạo, {agencies} chứng thư số cơ quan, 1 chứng thư số gốc tin cậy")


def _register(issued, **owner) -> None:
    # a fresh random password per file, kept (encrypted) beside it as for a real certificate
    password = secrets.token_urlsafe(12)
    register_certificate(actor=None, p12=issued.to_pkcs12(password.encode()), password=password, **owner)
