from __future__ import annotations

from django.shortcuts import render

from egov.core.views import paginate, staff_required
from egov.notify.models import SmsMessage


@staff_required("sms.view")
def sms_list(request):
    messages = SmsMessage.objects.all()
    direction = request.GET.get("chieu", "")
    if direction in SmsMessage.Direction.values:
        messages = messages.filter(direction=direction)
    phone = request.GET.get("so", "").strip()
    if phone:
        messages = messages.filter(phone__contains=phone)
    return render(request, "notify/sms_list.html", {
        "page": paginate(request, messages), "direction": direction, "phone": phone,
        "directions": SmsMessage.Direction.choices,
    })
