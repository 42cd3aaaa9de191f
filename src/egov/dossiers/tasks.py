"""Background work for dossiers: citizen notifications (run after the service's commit)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from egov.core.registry import egov_modules

MESSAGES = {
    "accepted": "Ho so {code} da duoc tiep nhan. Hen tra ket qua {due}. Tra cuu: soan TRACUU {code}",
    "refused": "Ho so nop truc tuyen cua ban bi tu choi tiep nhan. Vui long xem ly do tren Cong dich vu cong.",
    "supplement": "Ho so {code} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong.",
    "result": "Ho so {code} da co ket qua. Vui long nhan ket qua truc tuyen hoac tai bo phan mot cua.",
    "apology": "Ho so {code} tre han, xin loi ong/ba. Ngay hen moi {due}.",
}
# The same news with a link that an app above dossiers adds: feedback's page to rate the service
# once the result is out. dossiers may not import feedback, so an app plugs in a `dossier_links`
# module with `LINKS = {event: build(dossier) -> url}`, found as menus and audit labels are
# (core.registry): no app config to edit, nothing to register at start-up. The link rides in the
# one SMS that brings the news; a signal receiver sending its own text would cost a second
# message for the same event, and could reach the phone before the news it refers to.
LINKED = {
    "result": "Ho so {code} da co ket qua. Nhan tai mot cua/truc tuyen. Danh gia: {link}",
}
SMS_LENGTH = 160  # one unaccented SMS: a longer text would arrive split, or cost two


@task()
def notify_citizen(dossier_id: int, event: str) -> None:
    """SMS the applicant about an accepted, incomplete, resolved or late dossier (unaccented, short)."""
    from egov.dossiers.models import Dossier
    from egov.notify.services import send_sms

    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not dossier.applicant_phone or event not in MESSAGES:
        return
    due = dossier.due_at
    if event == "apology":
        letter = dossier.apologies.order_by("-created_at").first()
        due = letter.new_due_at if letter else due
    text = MESSAGES[event].format(code=dossier.code or "", due=timezone.localtime(due).strftime("%d/%m/%Y") if due else "")
    send_sms(dossier.applicant_phone, _with_link(dossier, event) or text, agency_id=dossier.agency_id,
             dossier_id=dossier.pk)


def _with_link(dossier, event: str) -> str:
    """The text of `event` carrying the link an app above provides, or "" when none does or the
    link would not fit in one SMS (the plain text goes out then)."""
    if event not in LINKED:
        return ""
    for module in egov_modules("dossier_links"):
        build = getattr(module, "LINKS", {}).get(event)
        if build is not None:
            text = LINKED[event].format(code=dossier.code or "", link=build(dossier))
            if len(text) <= SMS_LENGTH:
                return text
    return ""
