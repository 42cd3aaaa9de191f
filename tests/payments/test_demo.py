"""The demo set: a payment history in every outcome, and a dossier the demo citizen can pay."""

import pytest

from egov.core.demo import DEMO_APPS
from egov.dossiers import demo as dossiers_demo
from egov.dossiers.models import Dossier
from egov.org import demo as org_demo
from egov.payments import demo, selectors
from egov.payments.models import GatewayNotification, Payment
from egov.procedures import demo as procedures_demo

pytestmark = pytest.mark.django_db


def test_demo_payments_cover_each_outcome_and_leave_one_for_the_citizen_to_pay():
    assert DEMO_APPS.index("dossiers") < DEMO_APPS.index("payments")
    org_demo.load(lambda line: None)
    procedures_demo.load(lambda line: None)
    dossiers_demo.load(lambda line: None)
    lines = []
    demo.load(lines.append)
    by = {}
    for payment in Payment.objects.all():
        by.setdefault((payment.method, payment.status), []).append(payment)
    assert len(by[("online", "paid")]) == 3
    assert len(by[("online", "failed")]) == len(by[("online", "refunded")]) == len(by[("cash", "paid")]) == 1
    for payment in by[("online", "paid")]:
        assert payment.receipt_number and payment.paid_at > payment.dossier.received_at
        assert GatewayNotification.objects.get(payment=payment).response_code == "00"
    assert by[("online", "refunded")][0].refund.reason
    citizen_dossier = Dossier.objects.get(applicant__email="nguoidan@demo.egov.vn", procedure__code="1.004873")
    assert citizen_dossier.procedure.online_level == 4
    assert selectors.amount_due(citizen_dossier) == 10_000 and not citizen_dossier.payments.exists()
    assert "thanh toán mẫu" in lines[-1] and citizen_dossier.code in lines[-1]
