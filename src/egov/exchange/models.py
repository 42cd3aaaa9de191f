"""Exchange (liên thông) records: peers and the agencies behind them, every edXML message in and out
kept raw, the outbox, what was received from whom, and the status each recipient reported."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Peer(models.Model):
    """A system this instance exchanges documents with (đầu mối liên thông): another egov instance,
    the national exchange (trục liên thông văn bản quốc gia), or another system.

    It calls us with `api_key` (scope exchange:write); we call it at `endpoint` with the key sealed in
    `outbound_key_sealed` (egov.signing.vault, context `exchange.peer:<id>`). A plain exchange:write
    key with no peer row is a peer with the defaults: no endpoint, signatures not required."""

    class Kind(models.TextChoices):
        EGOV = "egov", "Hệ thống egov khác"
        NATIONAL = "national", "Trục liên thông văn bản quốc gia"
        OTHER = "other", "Hệ thống khác"

    name = models.CharField("tên", max_length=120)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.EGOV)
    api_key = models.OneToOneField("api.ApiKey", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="peer", verbose_name="khóa API nó gọi đến")
    endpoint = models.URLField("địa chỉ nhận", max_length=300, blank=True)
    outbound_key_sealed = models.BinaryField(null=True, blank=True, editable=False)
    require_signature = models.BooleanField("bắt buộc ký số gói tin", default=False)
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "đầu mối liên thông"
        verbose_name_plural = "đầu mối liên thông"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class RemoteAgency(models.Model):
    """An agency outside this instance (cơ quan ngoài hệ thống) and the peer that relays to it."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="agencies")
    code = models.CharField("mã định danh", max_length=40, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)

    class Meta:
        verbose_name = "cơ quan ngoài hệ thống"
        verbose_name_plural = "cơ quan ngoài hệ thống"
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Message(models.Model):
    """One edXML message in or out (gói tin), kept as received or sent, with its SHA-256.

    An inbound message that was refused is kept too, in quarantine (state QUARANTINED), with the
    reason, for an administrator to read; nothing else was written for it."""

    class Direction(models.TextChoices):
        IN = "in", "Nhận"
        OUT = "out", "Gửi"

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Văn bản"
        STATUS = "status", "Trạng thái"
        UNKNOWN = "unknown", "Không đọc được"

    class State(models.TextChoices):
        ACCEPTED = "accepted", "Đã nhận"
        QUARANTINED = "quarantined", "Cách ly (bị từ chối)"
        QUEUED = "queued", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=State.choices)
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    api_key = models.ForeignKey("api.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # From edXML: the sending agency's code, the document's DocumentId, the business type
    # (0 new, 1 recall, 2 update, 3 replace) and, for a status, its code.
    sender_code = models.CharField(max_length=40, blank=True)
    document_key = models.CharField(max_length=200, blank=True)
    business = models.PositiveSmallIntegerField(null=True, blank=True)
    status_code = models.CharField(max_length=2, blank=True)
    # The bytes as received, or as sent: an outbound message is built by the worker at its first
    # attempt (outside the transaction that queued it) and every retry sends these same bytes.
    raw = models.FileField(upload_to="exchange/%Y/%m/", max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    # None: unsigned; otherwise the signer's subject, verified against the trust store.
    signed_by = models.CharField(max_length=500, null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    error_element = models.CharField(max_length=120, blank=True)
    # The document it carries or is about: ours when sent, the registered copy when received.
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # An outbound status: the received document it reports on, and what it says.
    received = models.ForeignKey("Received", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(max_length=500, blank=True)
    staff = models.CharField(max_length=255, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "gói tin liên thông"
        verbose_name_plural = "gói tin liên thông"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["direction", "state", "created_at"]),
            models.Index(fields=["sender_code", "document_key"]),
        ]


class Received(models.Model):
    """A document that arrived by edXML, as registered for one of our agencies: the same sender and
    DocumentId arriving again finds these rows and registers nothing new. Statuses about the
    document (03, 04, 05, 06, 15, 16) go back through `peer` to `sender_code`."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="registered")
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("api.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender_code = models.CharField(max_length=40)
    document_key = models.CharField(max_length=200)
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="exchange_received")
    # The status codes already sent back for it, so each goes once (a second assignment is no news).
    statuses_sent = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender_code", "document_key", "document"], name="received_once"),
        ]
        indexes = [models.Index(fields=["sender_code", "document_key"])]


class Request(models.Model):
    """A sender's request about a document it sent us (recall, update, replace), waiting for the
    receiving clerk's answer: agreed (15) or refused (16)."""

    class Kind(models.IntegerChoices):
        RECALL = 1, "Thu hồi"
        UPDATE = 2, "Cập nhật"
        REPLACE = 3, "Thay thế"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ trả lời"
        AGREED = "agreed", "Đồng ý"
        REFUSED = "refused", "Từ chối"

    received = models.ForeignKey(Received, on_delete=models.CASCADE, related_name="requests")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    reason = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # The document's status before a recall took it out of handling, restored on refusal.
    previous_status = models.CharField(max_length=20, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["received"], condition=Q(state="pending"), name="one_pending_request"),
        ]


class Delivery(models.Model):
    """One outgoing message to one peer (hàng đợi gửi): retried with backoff until the peer takes
    it, with an idempotency key the peer uses to take it once; FAILED after the last try, when an
    administrator can send it again. HELD when there is no endpoint to send to (a plain
    exchange:write key, a peer without one)."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        HELD = "held", "Chưa có địa chỉ nhận"

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="deliveries")
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey("documents.Recipient", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="exchange_deliveries")
    to_code = models.CharField(max_length=40, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lượt gửi liên thông"
        verbose_name_plural = "lượt gửi liên thông"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class RecipientStatus(models.Model):
    """A status a recipient reported about a document we sent (đã đến, đã tiếp nhận, phân công, đang
    xử lý, hoàn thành, từ chối...): the sender's per-recipient status table reads these."""

    recipient = models.ForeignKey("documents.Recipient", on_delete=models.CASCADE, related_name="exchange_statuses")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=2)
    description = models.CharField(max_length=500, blank=True)
    staff = models.CharField(max_length=255, blank=True)
    reported_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recipient_id", "reported_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "code", "reported_at"], name="status_reported_once"),
        ]
