from __future__ import annotations

from django.shortcuts import render

from egov.core.views import citizen_required, paginate
from egov.notify.models import SmsMessage
from egov.notify.selectors import notifications_for, sms_for
from egov.org.access import staff_required


@staff_required("sms.view")
def sms_list(request):
    direction = request.GET.get("chieu", "")
    phone = request.GET.get("so", "").strip()
    return render(request, "notify/sms_list.html", {
        "page": paginate(request, sms_for(request.user, direction=direction, phone=phone)),
        "direction": direction if direction in SmsMessage.Direction.values else "", "phone": phone,
        "directions": SmsMessage.Direction.choices,
    })


@citizen_required
def my_notifications(request):
    """Thông báo: the SMS the platform sent the signed-in citizen or business."""
    return render(request, "notify/mine.html", {"page": paginate(request, notifications_for(request.user))})
