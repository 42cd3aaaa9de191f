"""Messages sent and received by the platform (tin nhắn SMS), readable by staff."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SmsMessage(models.Model):
    """One SMS in or out, whatever the provider; the provider's answer is kept in `status`.

    `agency` is whose message it is (the dossier's agency for a notification or a tracking
    query): staff read only their agencies' messages, a system administrator also those of none.
    """

    class Direction(models.TextChoices):
        IN = "in", "Đến"
        OUT = "out", "Đi"

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã nhận"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    phone = models.CharField("số điện thoại", max_length=20, db_index=True)
    text = models.TextField("nội dung")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices)
    provider = models.CharField(max_length=60, blank=True)
    provider_ref = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    agency = models.ForeignKey("org.Agency", verbose_name="cơ quan", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name="hồ sơ", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "tin nhắn SMS"
        verbose_name_plural = "tin nhắn SMS"
        ordering = ["-created_at", "-id"]
        # An agency's page of messages, newest first.
        indexes = [models.Index(fields=["agency", "-created_at", "-id"], name="sms_agency_created")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.phone}: {self.text[:40]}"


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"
    APP = "app", "Thông báo trên hệ thống"


class NotificationTemplate(models.Model):
    """The wording of one event on one channel (mẫu thông báo), edited by administrators.

    `subject` and `body` are Django templates rendered with the event's context (see
    `notify/events.py` for each event's variables); SMS bodies are sent without diacritics.
    """

    event = models.CharField("sự kiện", max_length=60)
    channel = models.CharField("kênh", max_length=5, choices=Channel.choices)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    is_active = models.BooleanField("đang dùng", default=True)
    updated_by = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        ordering = ["event", "channel"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="notification_template_unique")]


class Notification(models.Model):
    """One notification to one recipient on one channel (thông báo), and its delivery log.

    `key` names the event occurrence (e.g. "dossier.received:123"): with the channel and the
    recipient it is unique, so one event never notifies the same person twice on a channel, however
    often the event is told. In-app notifications are `sent` when stored and read when `read_at`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        SKIPPED = "skipped", "Không gửi"

    key = models.CharField(max_length=120)
    event = models.CharField("sự kiện", max_length=60)
    channel = models.CharField("kênh", max_length=5, choices=Channel.choices)
    recipient = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    # Where it goes: the account's, or the phone/email written in a dossier or feedback.
    address = models.CharField("địa chỉ nhận", max_length=254)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "address"], name="notification_once"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False),
                                   name="notification_sent_has_time"),
        ]
        indexes = [
            # The bell: a user's unread in-app notifications.
            models.Index(fields=["recipient", "created_at"], name="notification_unread",
                         condition=Q(channel="app", read_at__isnull=True)),
            models.Index(fields=["recipient", "channel", "created_at"], name="notification_recipient"),
            models.Index(fields=["status", "next_attempt_at"], name="notification_due",
                         condition=Q(status="queued")),
        ]


class Preference(models.Model):
    """Which channels a citizen, business or official wants (kênh nhận thông báo). In-app
    notifications are always kept; email and SMS can be turned off."""

    user = models.OneToOneField("org.User", on_delete=models.CASCADE, related_name="notify_preference")
    email = models.BooleanField("nhận thư điện tử", default=True)
    sms = models.BooleanField("nhận tin nhắn SMS", default=True)
    updated_at = models.DateTimeField(auto_now=True)
