"""Sign-in with a username, an email address or a phone number, with lockout on guessing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from egov.org.models import LoginFailure, User


def normalise_identifier(identifier: str) -> str:
    value = (identifier or "").strip()
    return value.lower() if "@" in value else value


class LoginBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = normalise_identifier(username or kwargs.get(User.USERNAME_FIELD, ""))
        if not identifier or password is None:
            return None
        user = (User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)
                                    | Q(phone=identifier)).order_by("pk").first())
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def is_locked_out(identifier: str) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    failures = LoginFailure.objects.filter(identifier=normalise_identifier(identifier), at__gte=since)
    return failures.count() >= settings.LOGIN_MAX_FAILURES


def note_failure(identifier: str, ip: str) -> None:
    LoginFailure.objects.create(identifier=normalise_identifier(identifier)[:150], ip=ip[:64])


def clear_failures(identifier: str) -> None:
    LoginFailure.objects.filter(identifier=normalise_identifier(identifier)).delete()
