"""Demo notifications: the demo citizen hears of their dossiers, the demo officials of work given
to them, so the bell, the notification pages and the log have something to show. Until the
events are wired into the dossiers, these are told here with the same notify() call."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.notify.services import Recipient, notify
from egov.org.models import User

NAME = "notify"


def _date(value, fmt="%d/%m/%Y") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _context(dossier: Dossier) -> dict:
    return {"code": dossier.code or "", "procedure": dossier.procedure.name, "agency": dossier.agency.name,
            "applicant": dossier.applicant_name, "due_date": _date(dossier.due_at),
            "submitted_at": _date(dossier.submitted_at or dossier.created_at, "%d/%m/%Y %H:%M")}


def load(out) -> None:
    made = 0
    citizen = User.objects.filter(email="nguoidan@demo.egov.vn").first()
    if citizen is not None:
        for dossier in (Dossier.objects.filter(applicant=citizen).select_related("procedure", "agency")
                        .order_by("created_at", "id")[:6]):
            event = "dossier.received" if dossier.received_at else "dossier.submitted"
            made += notify(event, key=f"demo:{event}:{dossier.pk}", recipients=[Recipient(user=citizen)],
                           context=_context(dossier), agency=dossier.agency, dossier=dossier,
                           link=reverse("dossier-mine-detail", args=[dossier.pk]))
    for slug in ("chuyenvien", "lanhdao"):
        official = User.objects.filter(username=f"stp.{slug}").first()
        place = official.official_or_none if official is not None else None
        if place is None:
            continue
        running = (Dossier.objects.filter(agency_id=place.agency_id, received_at__isnull=False,
                                          resolved_at__isnull=True)
                   .select_related("procedure", "agency").order_by("due_at", "id")[:2])
        for dossier in running:
            made += notify("work.assigned", key=f"demo:work.assigned:{dossier.pk}:{official.pk}",
                           recipients=[Recipient(user=official)], agency=dossier.agency, dossier=dossier,
                           link=reverse("dossier-detail", args=[dossier.pk]),
                           context={"title": f"Hồ sơ {dossier.procedure.name}", "code": dossier.code or "",
                                    "due_date": _date(dossier.due_at), "assigned_by": "Bộ phận một cửa"})
    out(f"  {made} thông báo mẫu")
