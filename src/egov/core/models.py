from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CalendarException(models.Model):
    """An official exception to the working-day rules (ngày nghỉ/làm bù theo thông báo)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc"

    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.CASCADE,
        verbose_name="cơ quan", help_text="Để trống nếu áp dụng cho mọi cơ quan.",
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "ngày ngoại lệ"
        verbose_name_plural = "lịch làm việc: ngày ngoại lệ"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "agency"], name="calendar_exception_unique"),
            models.UniqueConstraint(fields=["date"], condition=Q(agency__isnull=True),
                                    name="calendar_exception_unique_national"),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}: {self.get_kind_display()}"


class AuditChain(models.Model):
    """Head of one hash chain of audit entries; locked while appending so links never fork."""

    key = models.CharField(max_length=64, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")


class AuditEntry(models.Model):
    """One official action (nhật ký thao tác), hash-chained to the previous entry of its chain."""

    chain = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200)
    roles = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "nhật ký thao tác"
        verbose_name_plural = "nhật ký thao tác"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self):
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.actor_label}: {self.action}"


class DemoLoad(models.Model):
    """A demo data set that has been loaded, so `egov demo` never loads it twice."""

    name = models.CharField(max_length=80, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
