import pytest
from django.core.management import CommandError, call_command

from egov.core.audit import record, verify_chains
from egov.core.models import AuditEntry
from egov.org.roles import Role
from tests.factories import make_official


@pytest.fixture
def trail(agency):
    leader = make_official(Role.LEADER, agency=agency)
    for n in range(5):
        record(leader, "document.assigned", agency, summary={"note": f"Giao xử lý lần {n}"})
    return leader


def test_each_entry_links_to_the_previous_one(trail):
    entries = list(AuditEntry.objects.filter(action="document.assigned").order_by("seq"))
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    checked, broken = verify_chains()
    assert broken == [] and checked >= 5


def test_editing_an_entry_is_detected_at_that_entry(trail):
    victim = AuditEntry.objects.filter(action="document.assigned").order_by("seq")[2]
    AuditEntry.objects.filter(pk=victim.pk).update(summary={"note": "sửa lén"})
    _, broken = verify_chains()
    assert len(broken) == 1 and broken[0].entry_id == victim.pk
    assert "changed" in broken[0].reason


def test_deleting_an_entry_is_detected(trail):
    victim = AuditEntry.objects.filter(action="document.assigned").order_by("seq")[1]
    victim.delete()
    _, broken = verify_chains()
    assert broken and broken[0].seq == victim.seq


def test_truncating_the_chain_is_detected(trail):
    AuditEntry.objects.filter(action="document.assigned").order_by("-seq").first().delete()
    _, broken = verify_chains()
    assert broken and "end of the chain" in broken[0].reason


def test_cli_verify_exits_non_zero_after_tampering(trail, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    AuditEntry.objects.filter(action="document.assigned").update(actor_label="Người khác")
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_entries_record_who_what_where(trail, agency):
    entry = AuditEntry.objects.filter(action="document.assigned").first()
    assert entry.actor == trail and entry.agency == agency
    assert entry.roles == Role.LEADER and entry.object_repr == str(agency)


def test_an_api_key_is_recorded_by_name_in_its_agency(agency):
    from tests.factories import make_api_key

    key, _ = make_api_key(agency, "calendar:read", name="LGSP tỉnh")
    entry = record(key, "document.registered", None, object_type="documents.document", object_id="1")
    assert entry.actor is None and entry.actor_label == "API: LGSP tỉnh" and entry.agency == agency


def test_history_and_audit_log_speak_vietnamese(client, agency):
    from django.urls import reverse

    from tests.factories import PASSWORD

    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    record(admin, "dossier.accepted", agency)
    client.login(username=admin.username, password=PASSWORD)
    page = client.get(reverse("audit-log")).content.decode()
    assert "Tiếp nhận hồ sơ" in page and "dossier.accepted" not in page
