"""Sign-in with a username, an email address or a phone number, with lockout on guessing.

Every door that signs people in calls Django's `authenticate`, which comes here: the lockout
(egov.org.lockout) is enforced in this one place, before any password is checked.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from egov.core.client import client_address
from egov.org import lockout
from egov.org.models import User


def find_account(identifier: str) -> User | None:
    """The account a typed name stands for: username or email in any case, or the phone."""
    value = (identifier or "").strip()
    if not value:
        return None
    return (User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value) | Q(phone=value))
            .order_by("pk").first())


class LoginBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = username or kwargs.get(User.USERNAME_FIELD, "")
        if not identifier or password is None:
            return None
        address = client_address(request) if request is not None else ""
        user = find_account(identifier)
        account = lockout.account_key(user, identifier)
        lockout.check(account, address)  # raises SignInRefused: no door may try a password then
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
        elif user.check_password(password) and self.user_can_authenticate(user):
            return user  # its slips are forgotten at sign-in, after any second factor
        lockout.failed(account=account, address=address, user=user)
        return None
