"""Pages: webhook subscriptions of the API clients, their deliveries, replay and test events."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from egov.api.selectors import clients_visible_to
from egov.core.errors import DomainError
from egov.core.views import paginate
from egov.org.access import staff_required
from egov.webhooks import selectors, services
from egov.webhooks.forms import SubscriptionCreateForm, SubscriptionEditForm


def _secret_page(request, subscription, secret):
    # The secret lives only in this response: not in a redirect, not cached.
    response = render(request, "webhooks/secret.html", {"subscription": subscription, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@staff_required("apikey.manage")
def subscription_list(request):
    return render(request, "webhooks/subscription_list.html", {
        "page": paginate(request, selectors.subscriptions_visible_to(request.user))})


@staff_required("apikey.manage")
def subscription_create(request):
    clients = clients_visible_to(request.user)
    initial = {"client": request.GET.get("client")} if request.GET.get("client", "").isdigit() else {}
    form = SubscriptionCreateForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.subscribe(actor=request.user, client=data["client"], url=data["url"],
                                                      events=data["events"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _secret_page(request, subscription, secret)
    return render(request, "webhooks/subscription_create.html", {"form": form}, status=400 if form.errors else 200)


@staff_required("apikey.manage")
def subscription_detail(request, pk: int):
    subscription = selectors.get_visible_subscription(request.user, pk)
    form = SubscriptionEditForm(request.POST or None, initial={
        "url": subscription.url, "events": subscription.events, "is_active": subscription.is_active})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_subscription(actor=request.user, subscription=subscription, url=data["url"],
                                         events=data["events"], is_active=data["is_active"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu đăng ký webhook.")
            return redirect("webhook-detail", pk=subscription.pk)
    return render(request, "webhooks/subscription_detail.html", {
        "subscription": subscription, "form": form,
        "page": paginate(request, selectors.deliveries_of(subscription)),
    }, status=400 if form.errors else 200)


@require_POST
@staff_required("apikey.manage")
def send_test(request, pk: int):
    subscription = selectors.get_visible_subscription(request.user, pk)
    try:
        row = services.send_test(actor=request.user, subscription=subscription)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("webhook-detail", pk=subscription.pk)
    messages.success(request, "Đã xếp sự kiện thử vào hàng gửi; kết quả hiện ở bảng các lần gửi.")
    return redirect("webhook-delivery", pk=row.pk)


@require_POST
@staff_required("apikey.manage")
def rotate_secret(request, pk: int):
    subscription = selectors.get_visible_subscription(request.user, pk)
    secret = services.rotate_secret(actor=request.user, subscription=subscription)
    return _secret_page(request, subscription, secret)


@staff_required("apikey.manage")
def delivery_detail(request, pk: int):
    delivery = selectors.get_visible_delivery(request.user, pk)
    return render(request, "webhooks/delivery_detail.html", {
        "delivery": delivery, "pretty": json.dumps(delivery.payload, ensure_ascii=False, indent=2)})


@require_POST
@staff_required("apikey.manage")
def replay(request, pk: int):
    delivery = selectors.get_visible_delivery(request.user, pk)
    try:
        row = services.replay(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("webhook-delivery", pk=delivery.pk)
    messages.success(request, "Đã gửi lại sự kiện.")
    return redirect("webhook-delivery", pk=row.pk)
