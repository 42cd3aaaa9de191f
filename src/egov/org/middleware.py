"""Every door keeps the sign-in rules: no way around the second factor, and lockout refusals
answer 429 with their reason wherever they happen."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from egov.org.lockout import SignInRefused


class TwoFactorMiddleware:
    """Sign out a session that never passed the second factor its account needs.

    Our sign-in marks the session (`account_views.VERIFIED`); any other path to `auth.login`
    (a future API login, a third-party view) leaves it unmarked. The check runs once per
    session: accounts that need nothing are marked "none" on their first request.
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
