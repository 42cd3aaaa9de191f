import pytest
from django.core.cache import cache

from egov.core.calendar import forget_exceptions
from tests import factories


@pytest.fixture
def agency(db):
    return factories.make_agency(name="Ủy ban nhân dân phường Thử Nghiệm")


@pytest.fixture
def other_agency(db):
    return factories.make_agency(name="Ủy ban nhân dân xã Bên Cạnh")


@pytest.fixture
def official_factory(db):
    return factories.make_official


@pytest.fixture
def citizen(db):
    return factories.make_citizen()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded and generated files go to a per-test folder, never the developer's var/;
    passwords are hashed with argon2 at minimal cost; background tasks run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
    settings.DEMO_HISTORY = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Rolled-back test transactions send no signals, so the calendar memo starts empty each time.
    forget_exceptions()
    cache.clear()  # rate-limit counters (tracking, verification) start afresh for each test
