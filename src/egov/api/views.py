"""Pages: API clients (hệ thống kết nối) managed by administrators."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from egov.api import selectors, services
from egov.api.forms import ClientCreateForm, ClientSettingsForm
from egov.api.scopes import SCOPES
from egov.core.errors import DomainError
from egov.core.views import paginate
from egov.org.access import staff_required
from egov.org.permissions import visible_agencies


@staff_required("apikey.manage")
def client_list(request):
    return render(request, "api/client_list.html", {
        "page": paginate(request, selectors.clients_visible_to(request.user)), "scope_labels": SCOPES})


@staff_required("apikey.manage")
def client_create(request):
    form = ClientCreateForm(request.POST or None, agencies=visible_agencies(request.user),
                            initial={"agency": request.user.official.agency_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, raw = services.create_api_key(actor=request.user, name=data["name"], agency=data["agency"],
                                               scopes=data["scopes"], rate_limit=data["rate_limit"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # The raw key lives only in this response: not stored, not in a redirect, not cached.
            response = render(request, "api/client_created.html", {"key": key, "raw": raw})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/client_create.html", {"form": form}, status=400 if form.errors else 200)


@staff_required("apikey.manage")
def client_detail(request, pk: int):
    key = selectors.get_visible_client(request.user, pk)
    form = ClientSettingsForm(request.POST or None,
                              initial={"scopes": key.scopes, "rate_limit": key.rate_limit})
    if request.method == "POST" and form.is_valid():
        try:
            key = services.update_api_key(actor=request.user, key=key, scopes=form.cleaned_data["scopes"],
                                          rate_limit=form.cleaned_data["rate_limit"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu phạm vi và giới hạn của “{key.name}”.")
            return redirect("apikey-detail", pk=key.pk)
    return render(request, "api/client_detail.html", {"key": key, "form": form, "scope_labels": SCOPES},
                  status=400 if form.errors else 200)


@require_POST
@staff_required("apikey.manage")
def client_revoke(request, pk: int):
    key = selectors.get_visible_client(request.user, pk)
    try:
        services.revoke_api_key(actor=request.user, key=key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã thu hồi khóa API của “{key.name}”: hệ thống này không gọi được nữa.")
    return redirect("apikey-detail", pk=key.pk)
