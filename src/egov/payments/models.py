"""Fee payments (thanh toán phí, lệ phí) of dossiers: online through a gateway, or at the counter.

Amounts are whole đồng (VND). An online payment is `pending` until the gateway's server-to-server
notification (IPN) confirms it: only that notification changes its state, exactly once
(`services.confirm`). The return page only shows what the gateway says after checking its
signature. Every notification, valid or not, is kept in `GatewayNotification`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Payment(models.Model):
    """One payment of a dossier's fees (khoản thanh toán), with its lines in `PaymentLine`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ thanh toán"
        PAID = "paid", "Đã thanh toán"
        FAILED = "failed", "Thanh toán không thành công"
        EXPIRED = "expired", "Hết hạn thanh toán"
        REFUNDED = "refunded", "Đã hoàn tiền"

    class Method(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        CASH = "cash", "Tiền mặt tại quầy"
        TRANSFER = "transfer", "Chuyển khoản"

    dossier = models.ForeignKey("dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT,
                                related_name="payments")
    # Copied from the dossier: reports and reconciliation count by agency without joining dossiers.
    agency = models.ForeignKey("org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField("hình thức", max_length=10, choices=Method.choices, default=Method.ONLINE)
    provider = models.CharField("cổng thanh toán", max_length=30, blank=True)
    # Our order reference sent to the gateway (vnp_TxnRef): unique for ever, never reused.
    txn_ref = models.CharField("mã giao dịch", max_length=40, unique=True)
    order_info = models.CharField("nội dung thanh toán", max_length=255)
    gateway_txn_no = models.CharField("mã giao dịch tại cổng", max_length=40, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    payer_name = models.CharField("người nộp tiền", max_length=200, blank=True)
    # Set by the service (not auto_now_add): the order's vnp_CreateDate and vnp_ExpireDate are
    # PAYMENT_EXPIRE_MINUTES apart exactly, and the demo history dates its payments back.
    created_at = models.DateTimeField("ngày tạo", default=timezone.now)
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    paid_at = models.DateTimeField("ngày thanh toán", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, help_text="Khi không thành công, hết hạn.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="cán bộ thu tại quầy")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    receipt_number = models.CharField("số biên lai", max_length=40, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "khoản thanh toán"
        verbose_name_plural = "khoản thanh toán"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(status__in=["paid", "refunded"]) | Q(paid_at__isnull=False),
                                   name="payment_paid_has_time"),
            models.CheckConstraint(condition=Q(status__in=["pending", "paid", "refunded"])
                                   | Q(finished_at__isnull=False), name="payment_failed_has_time"),
            models.CheckConstraint(condition=Q(method="online") | ~Q(status="pending"),
                                   name="payment_counter_never_pending"),
            # One payment waiting at the gateway per dossier: asking again returns it.
            models.UniqueConstraint(fields=["dossier"], condition=Q(status="pending"),
                                    name="payment_one_pending_per_dossier"),
        ]
        indexes = [
            models.Index(fields=["agency", "created_at"], name="payment_agency_created"),
            models.Index(fields=["agency", "paid_at"], name="payment_agency_paid"),
            models.Index(fields=["status", "expires_at"], name="payment_status_expires"),
        ]

    def __str__(self):
        return f"{self.txn_ref} {self.amount:,} đồng".replace(",", ".")


class PaymentLine(models.Model):
    """A fee or charge paid (khoản thu): the procedure's fee × quantity, or exempted with a reason."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    fee = models.ForeignKey("procedures.Fee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("tên khoản thu", max_length=255)
    unit_amount = models.PositiveBigIntegerField("đơn giá (đồng)")
    quantity = models.PositiveIntegerField("số lượng", default=1)
    amount = models.PositiveBigIntegerField("thành tiền (đồng)")
    exempt = models.BooleanField("miễn, giảm", default=False)
    exemption_reason = models.CharField("lý do miễn, giảm", max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="payment_line_quantity"),
            models.CheckConstraint(condition=Q(exempt=True) | Q(amount=models.F("unit_amount") * models.F("quantity")),
                                   name="payment_line_amount"),
            models.CheckConstraint(condition=Q(exempt=False) | ~Q(exemption_reason=""),
                                   name="payment_line_exemption_reason"),
        ]


class FeeExemption(models.Model):
    """An exemption or reduction (miễn, giảm phí) an officer recorded for a dossier's fee, with its
    legal reason; payments created afterwards charge `amount` (0 for a full exemption)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="fee_exemptions")
    fee = models.ForeignKey("procedures.Fee", on_delete=models.CASCADE, related_name="+")
    amount = models.PositiveBigIntegerField("số tiền phải nộp sau miễn, giảm (đồng)", default=0)
    reason = models.CharField("căn cứ miễn, giảm", max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "fee"], name="fee_exemption_unique")]


class GatewayNotification(models.Model):
    """Every call of the gateway (IPN or return), as received, with what egov answered."""

    class Kind(models.TextChoices):
        IPN = "ipn", "Thông báo kết quả (IPN)"
        RETURN = "return", "Trang trả về"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    provider = models.CharField(max_length=30)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    params = models.JSONField(default=dict)
    txn_ref = models.CharField(max_length=40, blank=True, db_index=True)
    signature_ok = models.BooleanField(default=False)
    response_code = models.CharField("mã trả lời", max_length=4, blank=True)
    message = models.CharField(max_length=255, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notifications")
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]


class Refund(models.Model):
    """A refund of a paid payment (hoàn tiền), whole, with the reason and the officer."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount = models.PositiveBigIntegerField("số tiền hoàn (đồng)")
    reason = models.TextField("lý do")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]


class ReceiptCounter(models.Model):
    """The last receipt number (số biên lai) of an agency in a year, taken by `core.counters`."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="receipt_counter_unique")]
