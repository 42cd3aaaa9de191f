from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError
from egov.core.menu import all_figures, work_counts
from egov.core.views import paginate
from egov.org import accounts, selectors
from egov.org.access import menu_for, staff_required
from egov.org.account_views import sign_in
from egov.org.forms import CitizenRegistrationForm, LoginForm
from egov.org.lockout import SignInRefused
from egov.org.permissions import can


def login(request, default_next: str = ""):
    next_url = request.POST.get("next") or request.GET.get("next") or default_next
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        return sign_in(request, form.user, next_url)
    if form.refusal is not None:
        return refused(request, form.refusal, form=form, next_url=next_url)
    return render(request, "org/login.html", {"form": form, "next": next_url},
                  status=200 if request.method == "GET" or form.is_valid() else 400)


def refused(request, refusal: SignInRefused, *, form=None, next_url=""):
    """A sign-in turned away before its password was checked (429, with when to come back).
    Doors other than the login page get here through SignInRefusedMiddleware."""
    if form is not None:
        response = render(request, "org/login.html", {"form": form, "next": next_url}, status=refusal.status)
    else:
        response = render(request, "core/error.html", {"title": "Tạm thời không thể đăng nhập",
                                                       "message": refusal.message}, status=refusal.status)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("home")


def register(request):
    form = CitizenRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.request_registration(
                kind=data["kind"], full_name=data["full_name"], password=data["password1"],
                email=data["email"], phone=data["phone"], identity_number=data["identity_number"],
                address=data["address"], organization_name=data["organization_name"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # The same answer whether the address was free or taken: the mail says which.
            return redirect("registration-sent")
    return render(request, "org/register.html", {"form": form})


@staff_required()
def staff_home(request):
    official = request.user.official
    counts = work_counts(request.user)
    figures = []
    # a figure opens a list on the user's own menu: none that would answer 403 (a counter officer
    # counts drafts to review through his tasks, but the review page is a leader's)
    pages = {entry["url"] for entry in menu_for(request.user)}
    for figure in all_figures():
        if any(key in counts for key in figure.keys) and reverse(figure.url_name) in pages:
            url = reverse(figure.url_name) + (f"?{figure.query}" if figure.query else "")
            figures.append({"label": figure.label, "count": sum(counts.get(k, 0) for k in figure.keys), "url": url,
                            "late": figure.late, "key": figure.name or figure.keys[0]})
    return render(request, "org/staff_home.html", {
        "official": official, "figures": figures,
        "roles": [a.get_role_display() for a in official.role_assignments.all()],
    })


@staff_required()
def agency_list(request):
    query = request.GET.get("q", "").strip()
    page = paginate(request, selectors.search_agencies(query))
    editable = {a.pk for a in page if can(request.user, "org.edit_agency", a)}
    return render(request, "org/agency_list.html", {"page": page, "q": query, "editable": editable})


@staff_required("org.manage_officials")
def official_list(request):
    query = request.GET.get("q", "").strip()
    page = paginate(request, selectors.officials_visible_to(request.user, query))
    return render(request, "org/official_list.html", {"page": page, "q": query})
