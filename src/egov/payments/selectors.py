"""Reads of payments for pages, the API and reports: staff scoping, a dossier's payments and what
it still owes, one payment for its payer or an official."""

from __future__ import annotations

from django.utils import timezone

from egov.core.actors import is_api_key
from egov.core.errors import NotFound
from egov.core.limits import parse_id
from egov.org.permissions import can, visible_agencies
from egov.payments.models import GatewayNotification, Payment

P = Payment.Status


def visible_payments(actor):
    """Payments an official or API key may see (payment.view): those of their agencies."""
    if not can(actor, "payment.view"):
        return Payment.objects.none()
    return Payment.objects.filter(agency__in=visible_agencies(actor))


def staff_payments(actor, *, status: str = "", method: str = "", agency=None, since=None, until=None):
    """The staff list, newest first, filtered as the page asks."""
    payments = visible_payments(actor).select_related("dossier", "agency", "procedure")
    if status in P.values:
        payments = payments.filter(status=status)
    if method in Payment.Method.values:
        payments = payments.filter(method=method)
    if agency is not None:
        payments = payments.filter(agency=agency)
    if since is not None:
        payments = payments.filter(created_at__gte=since)
    if until is not None:
        payments = payments.filter(created_at__lt=until)
    return payments.order_by("-created_at", "-id")


def get_payment(actor, pk) -> Payment:
    """One payment for an official or key allowed to see it, or for the applicant of its dossier;
    404 otherwise (never telling that it exists)."""
    pk = parse_id(pk)
    payment = (Payment.objects.select_related("dossier", "agency", "procedure", "recorded_by")
               .filter(pk=pk).first() if pk is not None else None)
    if payment is None or not can_see(actor, payment):
        raise NotFound("Không tìm thấy khoản thanh toán.")
    return payment


def can_see(actor, payment: Payment) -> bool:
    if is_payer(actor, payment):
        return True
    return can(actor, "payment.view", payment.agency)


def is_payer(actor, payment: Payment) -> bool:
    return (getattr(actor, "is_authenticated", False) and not is_api_key(actor)
            and payment.dossier.applicant_id is not None and payment.dossier.applicant_id == actor.pk)


def payments_of(dossier):
    """A dossier's payments, newest first, with their lines."""
    return dossier.payments.prefetch_related("lines").order_by("-created_at", "-id")


def paid_payment(dossier) -> Payment | None:
    return dossier.payments.filter(status=P.PAID).order_by("-paid_at").first()


def open_payment(dossier) -> Payment | None:
    """The dossier's online payment still waiting at the gateway (not past its time)."""
    return dossier.payments.filter(status=P.PENDING, expires_at__gt=timezone.now()).first()


def amount_due(dossier) -> int:
    """What the dossier still owes: 0 once paid, else its fees after exemptions."""
    from egov.payments.services import fees_due

    if paid_payment(dossier) is not None:
        return 0
    return sum(line.amount for line in fees_due(dossier))


def notifications_of(payment: Payment):
    return GatewayNotification.objects.filter(payment=payment).order_by("received_at", "id")
