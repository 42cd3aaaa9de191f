"""Public tracking is limited per client (EGOV_RATE_TRACKING): dossier codes are sequential, so
one client may not walk through them. The web page, the API and SMS share one budget per client
and each answers the refusal in its own way: a page, JSON, an SMS."""

import json
import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from egov.core.ratelimit import Rate, _hit, parse_rate
from egov.dossiers import tracking
from egov.notify.models import SmsMessage
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "rate"), [("60/m", Rate(60, 60)), ("1000/h", Rate(1000, 3600)),
                                            ("5/s", Rate(5, 1)), (" 20 / d ", Rate(20, 86400)),
                                            ("0", None), ("0/m", None)])
def test_rate_settings_are_read_per_second_minute_hour_or_day(text, rate):
    assert parse_rate("EGOV_RATE_TRACKING", text) == rate


@pytest.mark.parametrize("text", ["60", "60/x", "sixty/m", "-1/m", "60/m/h", "", "1.5/s"])
def test_a_mistyped_rate_is_refused_naming_the_setting(text):
    with pytest.raises(ImproperlyConfigured, match="EGOV_RATE_TRACKING"):
        parse_rate("EGOV_RATE_TRACKING", text)


def test_the_server_refuses_to_start_with_an_invalid_rate(tmp_path):
    env = {**os.environ, "EGOV_RATE_TRACKING": "60 per minute", "EGOV_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "egov.settings"}
    done = subprocess.run([sys.executable, "-m", "egov.cli", "manage", "check"], env=env, capture_output=True, check=False,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "EGOV_RATE_TRACKING='60 per minute'" in done.stderr and "60/m" in done.stderr


@pytest.fixture
def three_a_minute(settings):
    settings.RATE_TRACKING = Rate(3, 60)


def test_the_tracking_page_refuses_the_fourth_lookup_with_a_page(client, world, three_a_minute):
    tracking._shells.clear()
    dossier = world.received(received="2026-11-25 09:00")
    url = reverse("dossier-track-code", args=[dossier.code])
    pages = [client.get(url) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200] and tracking._shells  # the prerendered layout
    assert dossier.code in pages[2].content.decode()
    refused = client.get(reverse("dossier-track-code", args=["000.00.01.H57-261125-0002"]))
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau" in page and "Tra cứu hồ sơ" in page
    assert "Không tìm thấy hồ sơ" not in page  # the lookup was not made
    # Another client is not held back; the search form alone (no code) is never counted.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get(reverse("dossier-track")).status_code == 200


def test_the_tracking_api_refuses_the_fourth_lookup_as_json(client, world, three_a_minute):
    dossier = world.received(received="2026-11-25 09:00")
    url = f"/api/v1/dossiers/track/{dossier.code}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Content-Type"].startswith("application/json")
    body = refused.json()
    assert body["code"] == "rate_limited" and "quá nhiều yêu cầu" in body["message"]
    assert 0 < body["details"]["retry_after"] <= 61


def test_web_and_api_share_one_budget_per_client(client, world, three_a_minute):
    dossier = world.received(received="2026-11-25 09:00")
    assert client.get(reverse("dossier-track-code", args=[dossier.code])).status_code == 200
    assert client.get(f"/api/v1/dossiers/track/{dossier.code}").status_code == 200
    assert client.get(reverse("dossier-track-code", args=[dossier.code])).status_code == 200
    assert client.get(f"/api/v1/dossiers/track/{dossier.code}").status_code == 429


def test_sms_lookups_are_limited_per_phone_with_an_sms_reply(client, world, three_a_minute):
    dossier = world.received(received="2026-11-25 09:00")
    _, raw = make_api_key(world.agency, "sms:inbound")

    def ask(phone, text=f"TRACUU {dossier.code}"):
        response = client.post("/api/v1/sms/inbound", json.dumps({"from": phone, "text": text}),
                               content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200
        return response.json()["reply"]

    assert all(dossier.code in ask("0905 111 222") for _ in range(3))
    refused = ask("0905-111-222")  # the same phone, written otherwise
    assert refused.startswith("Ban da tra cuu qua nhieu lan. Vui long thu lai sau") and len(refused) <= 160
    assert dossier.code in ask("0905333444")
    assert ask("0905111222", "xin chao").startswith("De tra cuu ho so")  # help costs no lookup
    assert SmsMessage.objects.filter(text=refused, direction="out").count() == 1


def test_zero_turns_the_limit_off(client, world, settings):
    settings.RATE_TRACKING = parse_rate("EGOV_RATE_TRACKING", "0")
    dossier = world.received(received="2026-11-25 09:00")
    assert {client.get(f"/api/v1/dossiers/track/{dossier.code}").status_code for _ in range(80)} == {200}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_hit_counts_on_redis_in_one_pipeline_with_its_expiry(settings):
    from django.core.cache import caches

    # A prefix of its own: the Redis server is shared with other test runs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0", "KEY_PREFIX": uuid.uuid4().hex}}
    backend = caches["default"]
    try:
        assert [_hit("rl:test:x", 30) for _ in range(3)] == [1, 2, 3]
        key = backend.make_and_validate_key("rl:test:x")
        assert 0 < backend._cache.get_client(key).ttl(key) <= 30
        assert backend.get("rl:test:x") == 3  # the same counter Django's cache reads
    finally:
        backend.delete("rl:test:x")
