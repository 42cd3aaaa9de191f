"""The demo set: the demo citizen's bell rings for their dossiers, the demo specialist's for work."""

import pytest

from egov.core.demo import DEMO_APPS
from egov.dossiers import demo as dossiers_demo
from egov.notify import demo
from egov.notify.models import Notification
from egov.notify.selectors import unread_count
from egov.org import demo as org_demo
from egov.org.models import User
from egov.procedures import demo as procedures_demo

pytestmark = pytest.mark.django_db


def test_the_demo_citizen_and_officials_have_notifications_and_loading_twice_adds_none():
    assert DEMO_APPS.index("notify") > DEMO_APPS.index("dossiers")
    for module in (org_demo, procedures_demo, dossiers_demo):
        module.load(lambda line: None)
    lines = []
    demo.load(lines.append)
    citizen = User.objects.get(email="nguoidan@demo.egov.vn")
    assert unread_count(citizen) >= 3
    assert Notification.objects.filter(recipient=citizen, channel="app", dossier__applicant=citizen).exists()
    assert unread_count(User.objects.get(username="stp.chuyenvien")) >= 1
    count = Notification.objects.count()
    demo.load(lines.append)
    assert Notification.objects.count() == count and lines[-1] == "  0 thông báo mẫu"
