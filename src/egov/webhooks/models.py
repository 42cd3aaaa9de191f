"""Webhooks: other systems (API clients) subscribe to events and receive signed HTTP calls."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

EVENTS = {
    "dossier.status_changed": ("Hồ sơ chuyển trạng thái", "dossiers:read"),
    "dossier.result_ready": ("Hồ sơ có kết quả giải quyết", "dossiers:read"),
    "document.received": ("Văn bản đến được vào sổ", "documents:read"),
    "document.status_changed": ("Văn bản chuyển trạng thái", "documents:read"),
    "exchange.status_received": ("Nhận trạng thái liên thông văn bản", "documents:read"),
    "feedback.received": ("Tiếp nhận phản ánh, kiến nghị", "feedback:read"),
    "feedback.answered": ("Phản ánh, kiến nghị đã được trả lời", "feedback:read"),
}
TEST_EVENT = "webhook.test"


def event_label(event: str) -> str:
    return "Sự kiện thử" if event == TEST_EVENT else EVENTS.get(event, (event,))[0]


class Subscription(models.Model):
    """A client's subscription (đăng ký nhận sự kiện): where to POST which events, and the secret
    each call is signed with (sealed at rest with the signing vault)."""

    client = models.ForeignKey("api.ApiKey", on_delete=models.CASCADE, related_name="webhook_subscriptions",
                               verbose_name="hệ thống")
    url = models.URLField("địa chỉ nhận", max_length=500)
    events = models.JSONField("sự kiện", default=list)
    secret_sealed = models.BinaryField(editable=False)
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "đăng ký webhook"
        verbose_name_plural = "đăng ký webhook"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.client.name} → {self.url}"

    def event_labels(self) -> list[str]:
        return [event_label(event) for event in self.events]


class WebhookDelivery(models.Model):
    """One event sent to one subscription (lần gửi webhook): the exact body, every attempt's
    outcome, and when the next attempt is due."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        RETRYING = "retrying", "Đang thử lại"
        DELIVERED = "delivered", "Đã gửi"
        FAILED = "failed", "Thất bại"

    uid = models.UUIDField("mã lần gửi", default=uuid.uuid4, unique=True, editable=False)
    # The event's id in the body: a replay carries the same one, so a receiver can drop duplicates.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField("sự kiện", max_length=60)
    payload = models.JSONField()
    body = models.TextField(help_text="the raw JSON body, byte for byte what is signed and sent")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tới", null=True, blank=True)
    response_status = models.PositiveSmallIntegerField("mã trả lời", null=True, blank=True)
    response_body = models.TextField("nội dung trả lời (2 KB đầu)", blank=True)
    error = models.CharField("lỗi", max_length=500, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lần gửi webhook"
        verbose_name_plural = "lần gửi webhook"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_by_sub"),
                   models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due",
                                condition=Q(state__in=["pending", "retrying"]))]
        constraints = [
            models.CheckConstraint(condition=~Q(state="delivered") | Q(delivered_at__isnull=False),
                                   name="webhook_delivered_has_time"),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription.url}"

    @property
    def event_label(self) -> str:
        return event_label(self.event)
