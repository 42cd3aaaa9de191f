"""Background work for dossiers: citizen notifications (run after the service's commit)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

MESSAGES = {
    "accepted": "Ho so {code} da duoc tiep nhan. Hen tra ket qua {due}. Tra cuu: soan TRACUU {code}",
    "refused": "Ho so nop truc tuyen cua ban bi tu choi tiep nhan. Vui long xem ly do tren Cong dich vu cong.",
    "supplement": "Ho so {code} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong.",
    "result": "Ho so {code} da co ket qua. Vui long nhan ket qua truc tuyen hoac tai bo phan mot cua.",
    "apology": "Ho so {code} tre han, xin loi ong/ba. Ngay hen moi {due}.",
}


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
    send_sms(dossier.applicant_phone, text, agency_id=dossier.agency_id, dossier_id=dossier.pk)
