"""The exchange pages (liên thông): inbox, outbox, quarantine, peers, the senders' requests (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from egov.api.models import ApiKey
from egov.core.errors import DomainError
from egov.core.storage import file_response
from egov.core.views import found_or_404, paginate
from egov.exchange import delivery as transport
from egov.exchange import forms, inbound, selectors
from egov.exchange import peers as peers_service
from egov.exchange.models import Delivery, Message, Peer
from egov.org.access import staff_required
from egov.org.permissions import can

TABS = [
    ("exchange-inbox", "Hộp thư đến", "exchange.view"),
    ("exchange-outbox", "Hộp thư đi", "exchange.view"),
    ("exchange-quarantine", "Cách ly", "exchange.view"),
    ("exchange-peers", "Đầu mối", "exchange.view"),
    ("exchange-requests", "Yêu cầu thu hồi, cập nhật", "exchange.requests"),
]


def _render(request, template, tab, context, status=200):
    tabs = [(name, label) for name, label, permission in TABS if can(request.user, permission)]
    return render(request, template, {"tabs": tabs if len(tabs) > 1 else [], "tab": tab, **context}, status=status)


def _back(request, default: str):
    """Back to the page the button was on (a local path only), else `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return redirect(target)
    return redirect(default)


@staff_required("exchange.view")
def inbox(request):
    state = request.GET.get("trang_thai", Message.State.ACCEPTED)
    if state not in (Message.State.ACCEPTED, Message.State.QUARANTINED, "all"):
        state = Message.State.ACCEPTED
    kind = request.GET.get("loai", "")
    kind = kind if kind in Message.Kind.values else ""
    page = paginate(request, selectors.inbox(request.user, state=state, kind=kind))
    names = selectors.remote_names(m.sender_code for m in page if m.sender_code)
    for m in page:
        m.sender_name = names.get(m.sender_code, "")
        m.status_text = selectors.status_label(m.status_code)
        m.business_text = selectors.BUSINESS_LABELS.get(m.business, "")
    return _render(request, "exchange/inbox.html", "exchange-inbox", {
        "page": page, "state": state, "kind": kind, "kinds": Message.Kind.choices,
        "states": [(Message.State.ACCEPTED, "Đã nhận"), (Message.State.QUARANTINED, "Cách ly"), ("all", "Tất cả")],
    })


@staff_required("exchange.view")
def message_detail(request, pk):
    message = found_or_404(selectors.get_message, request.user, pk)
    deliveries = list(message.deliveries.all())
    return _render(request, "exchange/message.html", "exchange-inbox" if message.direction == "in" else "exchange-outbox", {
        "message": message, "deliveries": deliveries,
        "business": selectors.BUSINESS_LABELS.get(message.business) if message.business is not None else "",
        "status": selectors.status_label(message.status_code) if message.status_code else "",
        "registered": list(message.registered.all()),
    })


@staff_required("exchange.view")
def message_raw(request, pk):
    message = found_or_404(selectors.get_message, request.user, pk)
    return file_response(message.raw, filename=f"goi-tin-{message.pk}.xml", content_type="application/xml")


@staff_required("exchange.view")
def outbox(request):
    state = request.GET.get("trang_thai", "")
    state = state if state in Delivery.State.values else ""
    page = paginate(request, selectors.outbox(request.user, state=state))
    names = selectors.remote_names(d.to_code for d in page if d.to_code)
    for delivery in page:
        delivery.to_name = names.get(delivery.to_code, "")
        delivery.can_resend = delivery.state in (Delivery.State.FAILED, Delivery.State.HELD)
        delivery.status_text = selectors.status_label(delivery.message.status_code)
        delivery.business_text = selectors.BUSINESS_LABELS.get(delivery.message.business, "")
    return _render(request, "exchange/outbox.html", "exchange-outbox", {
        "page": page, "state": state, "states": Delivery.State.choices,
    })


@require_POST
@staff_required("exchange.manage")
def resend(request, pk):
    delivery = found_or_404(selectors.get_delivery, request.user, pk)
    try:
        transport.resend(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã đưa lượt gửi #{delivery.pk} vào hàng đợi gửi lại.")
    return _back(request, "exchange-outbox")


@staff_required("exchange.view")
def quarantine(request):
    return _render(request, "exchange/quarantine.html", "exchange-quarantine", {
        "page": paginate(request, selectors.quarantine(request.user)),
    })


@staff_required("exchange.view")
def peers(request):
    peers = list(selectors.peers_with_health())
    for peer in peers:
        peer.health = _health(peer)
    return _render(request, "exchange/peers.html", "exchange-peers", {"peers": peers})


def _health(peer) -> tuple[str, str]:
    """A one-word verdict for the peer list: (badge class, label)."""
    if not peer.is_active:
        return "", "Ngừng hoạt động"
    if peer.failed_count:
        return "danger", "Có lượt gửi lỗi"
    if peer.last_failure_at and (peer.last_success_at is None or peer.last_failure_at > peer.last_success_at):
        return "warn", "Lần gửi cuối bị lỗi"
    if not peer.endpoint:
        return "", "Chỉ nhận"
    return "ok", "Bình thường"


def _save_peer(request, peer: Peer | None):
    form = forms.PeerForm(request.POST, peer=peer)
    if form.is_valid():
        data = form.cleaned_data
        api_key = ApiKey.objects.filter(pk=data["api_key"]).first() if data["api_key"] else None
        fields = {"name": data["name"], "endpoint": data["endpoint"], "api_key": api_key,
                  "require_signature": data["require_signature"]}
        if data["outbound_key"]:  # blank keeps the sealed key: it is never shown, so never re-entered
            fields["outbound_key"] = data["outbound_key"]
        try:
            if peer is None:
                peer = peers_service.create_peer(actor=request.user, kind=data["kind"], agency_codes=data["agencies"],
                                                 **fields)
            else:
                # One change: the peer's settings and the agencies behind it stand or fall together.
                with transaction.atomic():
                    peer = peers_service.update_peer(actor=request.user, peer=peer, is_active=data["is_active"],
                                                     **fields)
                    peer = peers_service.set_agencies(actor=request.user, peer=peer, agency_codes=data["agencies"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu đầu mối {peer.name}.")
            return redirect("exchange-peers")
    return _render(request, "exchange/peer_form.html", "exchange-peers", {"form": form, "peer": peer}, status=400)


@staff_required("exchange.manage")
def peer_create(request):
    if request.method == "POST":
        return _save_peer(request, None)
    return _render(request, "exchange/peer_form.html", "exchange-peers", {"form": forms.PeerForm(), "peer": None})


@staff_required("exchange.manage")
def peer_edit(request, pk):
    peer = get_object_or_404(Peer.objects.prefetch_related("agencies"), pk=pk)
    if request.method == "POST":
        return _save_peer(request, peer)
    return _render(request, "exchange/peer_form.html", "exchange-peers", {
        "form": forms.PeerForm(initial=forms.PeerForm.initial_for(peer), peer=peer), "peer": peer})


@staff_required("exchange.requests")
def requests(request):
    page = paginate(request, selectors.pending_requests(request.user))
    for item in page:
        item.answerable = selectors.can_answer(request.user, item)
    return _render(request, "exchange/requests.html", "exchange-requests", {"page": page})


@require_POST
@staff_required("exchange.requests")
def answer(request, pk):
    item = get_object_or_404(selectors.pending_requests(request.user), pk=pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chọn Đồng ý hoặc Từ chối.")
    else:
        agree = form.cleaned_data["agree"]
        try:
            inbound.answer_request(actor=request.user, request=item, agree=agree, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            what = item.get_kind_display().lower()
            messages.success(request, f"Đã đồng ý {what} văn bản." if agree else f"Đã từ chối yêu cầu {what}.")
    return _back(request, "exchange-requests")
