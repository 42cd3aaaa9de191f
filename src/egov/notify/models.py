"""Messages sent and received by the platform (tin nhắn SMS), readable by staff."""

from __future__ import annotations

from django.db import models


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
