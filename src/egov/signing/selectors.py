"""Reads for signing: which certificate signs, which roots are trusted, who sees what."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from egov.org.permissions import visible_agencies
from egov.signing.models import SigningCertificate, TrustedRoot


def _usable(qs):
    now = timezone.now()
    return qs.filter(is_active=True, not_before__lte=now, not_after__gt=now).order_by("-not_after", "-pk")


def active_certificate_of_official(official) -> SigningCertificate | None:
    """The official's certificate valid today that lasts longest."""
    return _usable(SigningCertificate.objects.filter(official=official)).first()


def active_certificate_of_agency(agency) -> SigningCertificate | None:
    return _usable(SigningCertificate.objects.filter(agency=agency)).first()


def certificates_of_official(official):
    return SigningCertificate.objects.filter(official=official).order_by("-is_active", "-not_after")


def agency_certificates_visible_to(actor):
    """Agency certificates, and officials' certificates, in the agencies `actor` administers."""
    agencies = visible_agencies(actor)
    return (SigningCertificate.objects
            .filter(Q(agency__in=agencies) | Q(official__agency__in=agencies))
            .select_related("agency", "official__user", "official__agency")
            .order_by("-is_active", "agency__path", "official__agency__path", "-not_after"))


def trust_roots_der() -> list[bytes]:
    return [bytes(der) for der in TrustedRoot.objects.values_list("certificate_der", flat=True)]


def has_signing_certificate(official) -> bool:
    return active_certificate_of_official(official) is not None
