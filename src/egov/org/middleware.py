"""Every door keeps the sign-in rules: no way around the second factor, and lockout refusals
answer 429 with their reason wherever they happen."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from egov.org.lockout import SignInRefused


def mark_second_factor_need(sender, request, user, **kwargs):
    """At any sign-in, mark a session whose account needs no second factor, so the middleware
    has nothing to look up; one that needs it is marked only where the code passed."""
    from egov.org import accounts
    from egov.org.account_views import VERIFIED

    if request is not None and hasattr(request, "session"):
        if accounts.has_two_factor(user) or accounts.two_factor_required(user):
            request.session.pop(VERIFIED, None)  # a mark left from an earlier sign-in proves nothing
        else:
            request.session[VERIFIED] = "none"


class TwoFactorMiddleware:
    """Sign out a session that never passed the second factor its account needs.

    Our sign-in marks the session (`account_views.VERIFIED`) once the code passed; any other
    path to `auth.login` (a future API login, a third-party view) leaves it unmarked. Sessions
    of accounts that need nothing are marked at sign-in, or else on their first request here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from egov.org import accounts
        from egov.org.account_views import VERIFIED

        user = request.user
        if user.is_authenticated and VERIFIED not in request.session:
            if accounts.has_two_factor(user) or accounts.two_factor_required(user):
                logout(request)
                return redirect(reverse("login") + "?" + urlencode({"next": request.get_full_path()}))
            request.session[VERIFIED] = "none"
        return self.get_response(request)


class PasswordChangeMiddleware:
    """An account signed in with a one-time password (given by an administrator) reaches no
    page but the password change until it has set its own; signing out stays possible."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password and not request.path.startswith("/api/"):
            allowed = (reverse("password-change"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password-change")
        return self.get_response(request)


class SignInRefusedMiddleware:
    """The lockout refuses inside `authenticate`, below any form: a door that does not catch
    SignInRefused itself (a future one) still answers 429 in Vietnamese, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SignInRefused):
            from egov.org.views import refused

            return refused(request, exception)
        return None
