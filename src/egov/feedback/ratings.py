"""Applicants' satisfaction with how their dossier was handled (đánh giá mức độ hài lòng).

Once a dossier has its result (resolved, or the result handed over) its applicant rates the
service once, on the levels of `ServiceRating.Level`, with an optional comment; the rating keeps the
dossier's agency and procedure so measurement counts without reading dossiers. Who may rate is
decided by the caller: the holder of the link sent with the result SMS (`rating_token`), or the
applicant signed in to their account (`is_applicant`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.utils.crypto import constant_time_compare

from egov.core import audit
from egov.core.errors import NotFound, StateError, ValidationError
from egov.core.limits import MAX_ID
from egov.dossiers.models import RESOLVED_STATUSES, Dossier
from egov.dossiers.planning import day_start
from egov.feedback.models import ServiceRating
from egov.org.permissions import visible_agencies

Level = ServiceRating.Level
COMMENT_MAX = 1000
# The link rides in the result SMS (160 characters, the code and the message included), so the
# token is the dossier id and a cut HMAC, not signing.dumps' 50-odd characters: 72 bits of
# signature (12 base64 characters) cannot be guessed through a web form.
_SALT = "egov.feedback.ratings.dossier"
_SIGNATURE_CHARS = 12


def rating_token(dossier: Dossier) -> str:
    """The secret part of the link that lets whoever received the result SMS rate the dossier.
    It never expires: one rating per dossier is the limit, and late ratings still count."""
    value = signing.b62_encode(dossier.pk)
    return f"{value}-{_signature(value, settings.SECRET_KEY)}"


def _signature(value: str, key) -> str:
    return signing.Signer(key=key, salt=_SALT).signature(value)[:_SIGNATURE_CHARS]


def dossier_from_token(token: str) -> Dossier:
    """The dossier a rating link names; NotFound for a token we did not make (tampered, cut, or
    signed with a key no longer in SECRET_KEY/SECRET_KEY_FALLBACKS)."""
    value, _, signature = (token or "").partition("-")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not value or not any(constant_time_compare(signature, _signature(value, key)) for key in keys):
        raise NotFound("Liên kết đánh giá không hợp lệ.")
    try:
        pk = signing.b62_decode(value)
    except ValueError:
        raise NotFound("Liên kết đánh giá không hợp lệ.") from None
    dossier = (Dossier.objects.select_related("procedure", "agency").filter(pk=pk).first()
               if 0 < pk <= MAX_ID else None)
    if dossier is None:
        raise NotFound("Liên kết đánh giá không hợp lệ.")
    return dossier


def is_applicant(user, dossier: Dossier) -> bool:
    """Whether `user` is the signed-in account that filed `dossier` (its owner on the portal)."""
    return bool(getattr(user, "is_authenticated", False) and dossier.applicant_id == user.pk)


def may_be_rated(dossier: Dossier) -> bool:
    return dossier.status in RESOLVED_STATUSES


def rating_of(dossier: Dossier) -> ServiceRating | None:
    return ServiceRating.objects.filter(dossier_id=dossier.pk).first()


def rate_dossier(dossier: Dossier, *, level: str, comment: str = "", user=None) -> ServiceRating:
    """Record the applicant's satisfaction with `dossier` (one rating per dossier, once it has a
    result). The caller has checked that they may: the link's token or the applicant's account;
    `user` is that account when they are signed in."""
    if level not in Level.values:
        raise ValidationError("Vui lòng chọn một mức độ hài lòng.", code="level")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"Ý kiến không quá {COMMENT_MAX} ký tự.", code="comment_too_long")
    rated_by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if not may_be_rated(locked):
            raise StateError("Hồ sơ chưa có kết quả giải quyết nên chưa thể đánh giá.", code="not_resolved")
        if ServiceRating.objects.filter(dossier=locked).exists():
            raise StateError("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.",
                             code="already_rated")
        rating = ServiceRating.objects.create(dossier=locked, level=level, comment=comment,
                                              agency_id=locked.agency_id, procedure_id=locked.procedure_id,
                                              rated_by=rated_by)
        audit.record(rated_by, "service_rating.created", rating,
                     summary={"dossier": locked.code, "level": level, "via": "account" if rated_by else "link"})
    return rating


# -- reads for staff ---------------------------------------------------------------------------
def visible_ratings(actor):
    """The ratings of the agencies `actor` may see, newest first."""
    return (ServiceRating.objects.filter(agency__in=visible_agencies(actor))
            .select_related("dossier", "procedure", "agency").order_by("-created_at", "-id"))


def in_period(ratings, *, start: dt.date | None = None, end: dt.date | None = None):
    """`ratings` given between the local days `start` and `end`, both included."""
    if start is not None:
        ratings = ratings.filter(created_at__gte=day_start(start))
    if end is not None:
        ratings = ratings.filter(created_at__lt=day_start(end + dt.timedelta(days=1)))
    return ratings


def level_counts(ratings) -> dict:
    """{"total": n, "levels": [(value, label, count, percent)]} for a queryset of ratings, every
    level listed even when none chose it."""
    found = dict(ratings.order_by().values_list("level").annotate(n=Count("id")))
    total = sum(found.values())
    return {"total": total,
            "levels": [(value, label, found.get(value, 0), round(100 * found.get(value, 0) / total) if total else 0)
                       for value, label in Level.choices]}


def agency_counts(agency, *, start: dt.date | None = None, end: dt.date | None = None,
                  subtree: bool = False) -> dict:
    """Counts per level of the ratings of `agency`'s dossiers (and its sub-agencies' with `subtree`)
    given between the local days `start` and `end`: what measurement (Decision 766) reads."""
    found = ServiceRating.objects.filter(agency__in=agency.descendants()) if subtree else \
        ServiceRating.objects.filter(agency=agency)
    return level_counts(in_period(found, start=start, end=end))
