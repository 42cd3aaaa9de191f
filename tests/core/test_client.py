"""The client's address: X-Forwarded-For counts only when a trusted proxy sent it."""

import subprocess
import sys

import pytest
from django.core.cache import cache

from egov.core.audit import record
from egov.core.client import client_address
from egov.core.middleware import AuditContextMiddleware
from egov.core.models import AuditEntry
from egov.core.ratelimit import RateLimited, check_rate, client_key


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "172.16.0.0/12"]
    return settings


def address(rf, peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(rf.get("/", **extra))


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(rf, behind_proxy):
    assert address(rf, "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_without_trusted_proxies_the_header_is_never_read(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert address(rf, "10.0.0.1", "198.51.100.1") == "10.0.0.1"


def test_a_trusted_proxy_names_the_client(rf, behind_proxy):
    assert address(rf, "10.0.0.1", "198.51.100.1") == "198.51.100.1"


def test_the_client_cannot_hide_behind_a_forged_left_part(rf, behind_proxy):
    # The client wrote "1.2.3.4, 10.0.0.1"; the proxy appended the address it really saw.
    assert address(rf, "10.0.0.1", "1.2.3.4, 10.0.0.1, 198.51.100.1") == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_back(rf, behind_proxy):
    assert address(rf, "10.0.0.1", "198.51.100.1, 172.20.1.5") == "198.51.100.1"


def test_a_garbled_entry_stops_at_the_last_trusted_hop(rf, behind_proxy):
    assert address(rf, "10.0.0.1", "198.51.100.1, not-an-ip, 172.20.1.5") == "172.20.1.5"
    assert address(rf, "10.0.0.1", "") == "10.0.0.1"


def test_rate_limits_count_the_client_behind_the_proxy(rf, behind_proxy):
    cache.clear()
    first = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    check_rate("test.client", client_key(first), limit=1, window=60)
    check_rate("test.client", client_key(second), limit=1, window=60)  # another person: own count
    with pytest.raises(RateLimited):
        check_rate("test.client", client_key(first), limit=1, window=60)


def test_a_spoofer_shares_its_own_rate_limit(rf, behind_proxy):
    cache.clear()
    first = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    forged = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.2")
    check_rate("test.spoof", client_key(first), limit=1, window=60)
    with pytest.raises(RateLimited):
        check_rate("test.spoof", client_key(forged), limit=1, window=60)


@pytest.mark.parametrize("peer,expected", [("10.0.0.1", "198.51.100.1"), ("203.0.113.7", "203.0.113.7")])
def test_audit_entries_record_the_client_address(rf, db, behind_proxy, peer, expected):
    middleware = AuditContextMiddleware(lambda request: record(None, "test.visited"))
    middleware(rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert AuditEntry.objects.get(action="test.visited").ip == expected


def test_a_mistyped_proxy_list_stops_the_server_at_start(tmp_path):
    env = {"EGOV_DATA_DIR": str(tmp_path), "EGOV_TRUSTED_PROXIES": "10.0.0.1,10.0.0.300", "PATH": "/usr/bin"}
    result = subprocess.run([sys.executable, "-c", "import egov.settings"], env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0 and "EGOV_TRUSTED_PROXIES" in result.stderr
