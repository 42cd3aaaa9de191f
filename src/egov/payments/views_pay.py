"""The citizen's online payment (thanh toán trực tuyến): the fees box on their dossier's page, the
button that opens (or reopens) the payment and sends them to the gateway, and the page the gateway
sends them back to (trang kết quả), which only reads: the gateway's server-to-server notification
alone changes a payment."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from egov.core.client import client_address
from egov.core.errors import DomainError
from egov.core.ratelimit import RateLimited, check_rate, client_key
from egov.core.views import citizen_required
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Dossier
from egov.payments import receipts, selectors, services
from egov.payments.models import Payment

P = Payment.Status
# The result page reloads itself while the gateway's confirmation is awaited: every few seconds,
# a bounded number of times (each visit is logged with the gateway's notifications).
REFRESH_SECONDS = 3
MAX_REFRESHES = 40
# Each visit is logged, and anyone may call the address: a payer's reloads stay far below this.
RESULT_RATE = (60, 60)  # visits per seconds, per client


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def go_to(request, url: str, *, title: str):
    """Send the browser to `url` after a form: a redirect on this site; another site (the real
    gateway) through a page that moves on by itself, since the pages' Content-Security-Policy
    (form-action 'self') stops a form's redirect to another origin."""
    if _origin(url) == _origin(request.build_absolute_uri("/")):
        return HttpResponseRedirect(url, status=303)
    return render(request, "payments/pay/redirect.html", {"url": url, "title": title})


def receipt_url(payment: Payment) -> str:
    """The receipt (biên lai) PDF of a payment that has one."""
    if not receipts.has_receipt(payment):
        return ""
    return reverse("payment-receipt", args=[payment.pk])


def return_url() -> str:
    return settings.SITE_URL + reverse("payment-return")


# -- the box on the citizen's dossier page ---------------------------------------------------------

def panel(request, dossier: Dossier) -> str:
    """The "Thanh toán trực tuyến" box of the applicant's dossier page ("" when nothing is owed
    or paid). Plugged into the dossier page through payments/dossier_panels.py."""
    user = request.user
    if not user.is_authenticated or dossier.applicant_id != user.pk or dossier.status in services.NOT_PAYABLE:
        return ""
    paid = selectors.paid_payment(dossier)
    context = {"dossier": dossier, "paid": paid, "receipt_url": receipt_url(paid) if paid else ""}
    if paid is None:
        lines = services.fees_due(dossier)
        if not lines:
            return ""
        latest = dossier.payments.order_by("-created_at", "-id").first()
        context.update(lines=lines, total=sum(line.amount for line in lines), latest=latest,
                       open=selectors.open_payment(dossier))
        if not context["total"]:
            context["nothing_due"] = True
    return render_to_string("payments/pay/_panel.html", context, request=request)


@require_POST
@citizen_required
def pay(request, pk):
    """Open (or reopen) the online payment of the applicant's dossier and go to the gateway."""
    try:
        dossier = dossier_selectors.get_citizen_dossier(request.user, pk)
    except DomainError:
        raise Http404 from None
    try:
        _payment, url = services.create_online_payment(request.user, dossier, client_ip=client_address(request),
                                                       return_url=return_url())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossier-mine-detail", pk=dossier.pk)
    return go_to(request, url, title="Đang chuyển đến cổng thanh toán")


# -- where the gateway sends the payer back ------------------------------------------------------

@require_GET
def result(request):
    """Trang kết quả thanh toán: what the gateway's signed answer says, and the payment as egov
    knows it. Never changes anything (services.return_result only reads)."""
    try:
        check_rate("payment-return", client_key(request), limit=RESULT_RATE[0], window=RESULT_RATE[1])
    except RateLimited as exc:
        return render(request, "core/error.html", {"title": "Kết quả thanh toán", "message": exc.message},
                      status=429)
    params = {k: v for k, v in request.GET.items() if k.startswith("vnp_")}
    outcome = services.return_result(params, client_ip=client_address(request) or None)
    payment = outcome["payment"]
    try:
        refreshes = min(max(int(request.GET.get("lan", "0")), 0), MAX_REFRESHES)
    except ValueError:
        refreshes = MAX_REFRESHES
    if not outcome["valid"]:
        state = "invalid"
    elif payment is None:
        state = "unknown"
    elif payment.status in (P.PAID, P.REFUNDED):
        state = "paid"
    elif outcome["success"] and payment.status in (P.PENDING, P.EXPIRED):
        state = "confirming"  # the gateway's notification has not reached us yet
    else:
        state = "failed"
    refresh = ""
    if state == "confirming" and refreshes < MAX_REFRESHES:
        refresh = f"{request.path}?{urlencode({**params, 'lan': refreshes + 1})}"
    dossier = payment.dossier if payment is not None else None
    mine = dossier is not None and request.user.is_authenticated and dossier.applicant_id == request.user.pk
    if dossier is None:
        back = ""
    elif mine:
        back = reverse("dossier-mine-detail", args=[dossier.pk])
    elif dossier.code:
        back = reverse("dossier-track-code", args=[dossier.code])
    else:
        back = ""
    return render(request, "payments/pay/result.html", {
        "state": state, "outcome": outcome, "payment": payment, "dossier": dossier, "back": back,
        "refresh": refresh, "refresh_seconds": REFRESH_SECONDS, "gave_up": state == "confirming" and not refresh,
        "receipt_url": receipt_url(payment) if payment is not None and mine else "",
    }, status=400 if state == "invalid" else 200)
