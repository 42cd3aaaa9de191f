"""The audit line of a signature reads the signing time in local time (EGOV_TIME_ZONE), as the
row's own time and every page do, not in UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.models import AuditEntry
from egov.signing import services
from egov.signing.models import SignatureRecord
from tests.signing.test_services import leader, leader_cert  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("signing_settings")


def test_signature_audit_line_reads_local_time(leader, leader_cert, document, settings):  # noqa: F811
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    services.sign_for_official(actor=leader, pdf=document)
    record = SignatureRecord.objects.get()
    entry = AuditEntry.objects.get(action="signing.signed")
    local = record.signed_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert f"{local:%d/%m/%Y %H:%M}" in entry.object_repr
    assert f"{record.signed_at.astimezone(dt.UTC):%d/%m/%Y %H:%M}" not in entry.object_repr
    assert timezone.localtime(entry.at).hour == local.hour  # the line agrees with the row's time
