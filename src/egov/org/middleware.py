"""No door around the second factor: a session signed in some other way is signed out."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


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
