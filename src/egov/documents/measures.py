"""Measures of electronic document work per agency and period (a later metrics issue reads these).

- exchanged electronically: incoming documents that arrived as files (uploaded, from another
  agency of this instance, or by edXML) and outgoing deliveries to agencies of this instance,
  split into exchanges inside the agency's own tree and with other agencies;
- issued documents carrying a digital signature;
- handling assignments finished on time vs late, and those open past their deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from egov.documents.models import Assignment, Document, Recipient


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class DocumentMeasures:
    agency_id: int
    start: dt.date
    end: dt.date
    incoming: int
    incoming_electronic: int
    incoming_internal: int  # from an agency of this instance (inside or outside the agency's tree)
    incoming_inside_tree: int
    outgoing_deliveries: int  # recipients of documents issued in the period
    outgoing_electronic: int
    outgoing_inside_tree: int
    issued: int
    issued_signed: int
    handled_on_time: int
    handled_late: int
    open_overdue: int

    @property
    def electronic_share(self) -> float | None:
        return _share(self.incoming_electronic + self.outgoing_electronic, self.incoming + self.outgoing_deliveries)

    @property
    def electronic_inside_share(self) -> float | None:
        inside = self.incoming_inside_tree + self.outgoing_inside_tree
        return _share(inside, self.incoming + self.outgoing_deliveries)

    @property
    def electronic_with_others_share(self) -> float | None:
        others = (self.incoming_electronic - self.incoming_inside_tree) + (self.outgoing_electronic - self.outgoing_inside_tree)
        return _share(others, self.incoming + self.outgoing_deliveries)

    @property
    def signed_share(self) -> float | None:
        return _share(self.issued_signed, self.issued)

    @property
    def on_time_share(self) -> float | None:
        return _share(self.handled_on_time, self.handled_on_time + self.handled_late)


def _bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def document_measures(agency, start: dt.date, end: dt.date, *, today: dt.date | None = None) -> DocumentMeasures:
    """Measures for `agency` between `start` and `end` (inclusive). Every count is one indexed
    aggregate over the agency's rows of the period."""
    since, until = _bounds(start, end)
    incoming = Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                       received_at__gte=since, received_at__lt=until)
    electronic = ~Q(channel=Document.Channel.PAPER)
    internal = Q(channel=Document.Channel.INTERNAL)
    inside = internal & Q(issuer_agency__path__startswith=agency.path)
    inc = incoming.aggregate(total=Count("id"), electronic=Count("id", filter=electronic),
                             internal=Count("id", filter=internal), inside=Count("id", filter=inside))
    issued = Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING,
                                     status=Document.Status.ISSUED, issued_at__gte=since, issued_at__lt=until)
    out = issued.aggregate(total=Count("id"), signed=Count("id", filter=Q(has_digital_signature=True)))
    deliveries = Recipient.objects.filter(document__in=issued)
    dl = deliveries.aggregate(total=Count("id"), electronic=Count("id", filter=Q(delivered__isnull=False)),
                              inside=Count("id", filter=Q(delivered__isnull=False, agency__in=agency.descendants())))
    finished = Assignment.objects.filter(document__agency=agency, status=Assignment.Status.DONE,
                                         done_at__gte=since, done_at__lt=until, deadline__isnull=False
                                         ).exclude(role=Assignment.Role.INFORM)
    on_time = late = 0
    for deadline, done_at in finished.values_list("deadline", "done_at").iterator():
        if timezone.localtime(done_at).date() <= deadline:
            on_time += 1
        else:
            late += 1
    today = today or timezone.localdate()
    open_overdue = (Assignment.objects.filter(document__agency=agency, deadline__lt=today)
                    .exclude(status=Assignment.Status.DONE).exclude(role=Assignment.Role.INFORM).count())
    return DocumentMeasures(
        agency_id=agency.pk, start=start, end=end, incoming=inc["total"], incoming_electronic=inc["electronic"],
        incoming_internal=inc["internal"], incoming_inside_tree=inc["inside"], outgoing_deliveries=dl["total"],
        outgoing_electronic=dl["electronic"], outgoing_inside_tree=dl["inside"], issued=out["total"],
        issued_signed=out["signed"], handled_on_time=on_time, handled_late=late, open_overdue=open_overdue)
