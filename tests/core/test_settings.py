"""Production mode must refuse unsafe configuration: each check runs a fresh interpreter."""

import os
import subprocess
import sys

SAFE = {
    "EGOV_ENV": "production",
    "EGOV_SECRET_KEY": "k" * 10 + "x9Qz!r7T-2mLp0vWs8eYb4NcHu6Ja1Df",
    "EGOV_ALLOWED_HOSTS": "dichvucong.example.vn",
    "EGOV_SECURE_COOKIES": "1",
    "EGOV_DEMO": "0",
}


def load_settings(overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update({"EGOV_DATA_DIR": str(tmp_path), **SAFE, **overrides})
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, "-c", "import egov.settings"], env=env, capture_output=True, text=True, check=False)


def test_safe_production_configuration_loads(tmp_path):
    assert load_settings({}, tmp_path).returncode == 0


def test_production_refuses_a_missing_secret_key(tmp_path):
    result = load_settings({"EGOV_SECRET_KEY": None}, tmp_path)
    assert result.returncode != 0 and "EGOV_SECRET_KEY" in result.stderr


def test_production_refuses_missing_allowed_hosts(tmp_path):
    result = load_settings({"EGOV_ALLOWED_HOSTS": None}, tmp_path)
    assert result.returncode != 0 and "EGOV_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_cookies_over_plain_http(tmp_path):
    result = load_settings({"EGOV_SECURE_COOKIES": "0"}, tmp_path)
    assert result.returncode != 0 and "EGOV_SECURE_COOKIES" in result.stderr


def test_production_refuses_demo_mode(tmp_path):
    result = load_settings({"EGOV_DEMO": "1"}, tmp_path)
    assert result.returncode != 0 and "EGOV_DEMO" in result.stderr


def test_demo_loader_refuses_outside_demo_mode(db, settings):
    import pytest

    from egov.core.demo import load_all
    from egov.core.errors import DomainError

    settings.DEMO_MODE = False
    with pytest.raises(DomainError):
        load_all(print)
