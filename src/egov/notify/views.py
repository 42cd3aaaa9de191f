from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from egov.core.errors import DomainError, NotFound
from egov.core.views import citizen_required, found_or_404, paginate
from egov.notify import selectors, services
from egov.notify.events import EVENTS
from egov.notify.forms import PreferenceForm, TemplateForm
from egov.notify.models import Channel, Notification, NotificationTemplate, SmsMessage
from egov.org.access import staff_required


@staff_required("sms.view")
def sms_list(request):
    direction = request.GET.get("chieu", "")
    phone = request.GET.get("so", "").strip()
    return render(request, "notify/sms_list.html", {
        "page": paginate(request, selectors.sms_for(request.user, direction=direction, phone=phone)),
        "direction": direction if direction in SmsMessage.Direction.values else "", "phone": phone,
        "directions": SmsMessage.Direction.choices,
    })


@citizen_required
def my_notifications(request):
    """Thông báo, tab "Tin nhắn SMS": the SMS the platform sent the signed-in citizen or business."""
    return render(request, "notify/mine.html", {"page": paginate(request, selectors.sms_to(request.user)),
                                                "tab": "sms"})


@login_required
def notification_list(request):
    """Thông báo: the signed-in person's in-app notifications (the bell's page), newest first."""
    return render(request, "notify/list.html", {
        "page": paginate(request, selectors.notifications_for(request.user)), "tab": "app",
        "unread": selectors.unread_count(request.user)})


@require_POST
@login_required
def mark_read(request):
    """"Đánh dấu đã đọc": the notifications ticked (`id`), or all of them (`tat_ca`)."""
    ids = None if request.POST.get("tat_ca") else request.POST.getlist("id")
    changed = services.mark_read(request.user, ids)
    if ids is None:
        messages.success(request, "Đã đánh dấu tất cả là đã đọc." if changed else "Không còn thông báo chưa đọc.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = "notification-list"
    return redirect(back)


@login_required
def open_notification(request, pk: int):
    """Follow a notification's link, marking it read."""
    row = found_or_404(_own, request.user, pk)
    services.mark_read(request.user, [row.pk])
    link = row.link
    if not link.startswith("/") or link.startswith("//"):
        return redirect("notification-list")
    return redirect(link)


def _own(user, pk: int) -> Notification:
    row = selectors.notifications_for(user).filter(pk=pk).first()
    if row is None:
        raise NotFound("Không tìm thấy thông báo.")
    return row


@login_required
def preferences(request):
    """Kênh nhận thông báo: email and SMS on or off; in-app notifications are always kept."""
    chosen = services.preference_of(request.user)
    form = PreferenceForm(request.POST or None, initial={"email": chosen.email, "sms": chosen.sms})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu lựa chọn kênh nhận thông báo.")
            return redirect("notification-preferences")
    return render(request, "notify/preferences.html", {"form": form, "tab": "settings"},
                  status=400 if form.errors else 200)


@staff_required("notification.view")
def notification_log(request):
    """Nhật ký thông báo: what was sent to whom, on which channel, and how it went."""
    filters = {"channel": request.GET.get("kenh", ""), "status": request.GET.get("trang_thai", ""),
               "address": request.GET.get("nguoi_nhan", "").strip()[:254],
               "event": request.GET.get("su_kien", "")}
    if filters["event"] not in EVENTS:
        filters["event"] = ""
    return render(request, "notify/log.html", {
        "page": paginate(request, selectors.log_for(request.user, **filters)), **filters,
        "channels": Channel.choices, "statuses": Notification.Status.choices,
        "events": [(code, event.label) for code, event in EVENTS.items()],
        "labels": {code: event.label for code, event in EVENTS.items()},
    })


@staff_required("notification.templates")
def template_list(request):
    """Mẫu thông báo: every event's wording on each channel, the administrators' or the default."""
    edited = {(row.event, row.channel): row for row in NotificationTemplate.objects.all()}
    rows = []
    for code, event in EVENTS.items():
        cells = []
        for channel, label in ((Channel.APP, "Trên hệ thống"), (Channel.EMAIL, "Thư điện tử"), (Channel.SMS, "SMS")):
            row = edited.get((code, channel))
            state = ("edited" if row.is_active else "off") if row else ("default" if event.default(channel)[1]
                                                                        else "none")
            cells.append({"channel": channel, "label": label, "state": state})
        rows.append({"code": code, "event": event, "cells": cells})
    return render(request, "notify/templates.html", {"rows": rows})


@staff_required("notification.templates")
def template_edit(request, event: str, channel: str):
    """One event's wording on one channel: preview with the event's sample, save, or go back to
    the default. A template that does not render is refused with the reason."""
    if event not in EVENTS or channel not in Channel.values:
        raise Http404("Không có mẫu thông báo này.")
    spec = EVENTS[event]
    row = NotificationTemplate.objects.filter(event=event, channel=channel).first()
    default_subject, default_body = spec.default(channel)
    initial = ({"subject": row.subject, "body": row.body, "is_active": row.is_active} if row else
               {"subject": default_subject, "body": default_body, "is_active": True})
    form = TemplateForm(request.POST or None, channel=channel, initial=initial)
    rendered = None
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "reset":
        try:
            reset = services.reset_template(request.user, event, channel)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã khôi phục mẫu mặc định." if reset else "Mẫu đang là mặc định.")
        return redirect("notification-template-edit", event=event, channel=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "save":
                services.save_template(request.user, event, channel, subject=data.get("subject", ""),
                                       body=data["body"], is_active=data["is_active"])
            else:
                rendered = services.preview(event, channel, subject=data.get("subject", ""), body=data["body"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if action == "save":
                messages.success(request, "Đã lưu mẫu thông báo.")
                return redirect("notification-template-edit", event=event, channel=channel)
    elif request.method == "GET":
        body = row.body if row else default_body
        if body:
            try:
                rendered = services.preview(event, channel, subject=row.subject if row else default_subject, body=body)
            except DomainError:
                rendered = None
    return render(request, "notify/template_edit.html", {
        "event": spec, "channel": channel, "channel_label": Channel(channel).label, "form": form, "row": row,
        "rendered": rendered, "variables": {**spec.variables, **services.COMMON_VARIABLES},
        "sms_length": len(rendered[1]) if rendered and channel == Channel.SMS else None,
    }, status=400 if form.errors else 200)
