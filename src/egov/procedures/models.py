"""Administrative procedures catalogue (danh mục thủ tục hành chính) and internal processes."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse

from egov.core.text import fold
from egov.org.roles import Role


class Field(models.Model):
    """Field of administration (lĩnh vực), e.g. Hộ tịch, Chứng thực, Xây dựng."""

    code = models.CharField("mã lĩnh vực", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) from the national catalogue."""

    class Level(models.TextChoices):
        PROVINCE = "province", "Cấp tỉnh"
        COMMUNE = "commune", "Cấp xã"

    class OnlineService(models.TextChoices):
        FULL = "full", "Toàn trình"
        PARTIAL = "partial", "Một phần"
        NONE = "none", "Không trực tuyến"

    class TimeUnit(models.TextChoices):
        DAYS = "days", "ngày làm việc"
        HOURS = "hours", "giờ làm việc"

    code = models.CharField("mã thủ tục", max_length=30, unique=True)
    name = models.CharField("tên thủ tục", max_length=500)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực")
    levels = models.JSONField("cấp thực hiện", default=list, help_text='Danh sách: "province", "commune".')
    online_level = models.PositiveSmallIntegerField("mức độ dịch vụ công (1-4)", default=2)
    online_service = models.CharField("dịch vụ công trực tuyến", max_length=10, choices=OnlineService.choices,
                                      default=OnlineService.PARTIAL)
    resolution_time = models.DecimalField("thời hạn giải quyết", max_digits=7, decimal_places=2)
    time_unit = models.CharField("đơn vị thời hạn", max_length=10, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    applicants = models.CharField("đối tượng thực hiện", max_length=255, default="Công dân Việt Nam, tổ chức")
    result = models.CharField("kết quả thực hiện", max_length=500)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    is_active = models.BooleanField("đang áp dụng", default=True)
    form_definition = models.JSONField("mẫu tờ khai điện tử", default=dict, blank=True,
                                       help_text="Định nghĩa tờ khai (xem egov.procedures.eforms).")
    name_folded = models.CharField(max_length=500, editable=False, db_index=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["field__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(online_level__gte=1) & Q(online_level__lte=4),
                                   name="procedure_online_level_1_4"),
            models.CheckConstraint(condition=Q(resolution_time__gt=0), name="procedure_resolution_positive"),
            # Level 4 (submit, pay and receive online) is exactly full online service.
            models.CheckConstraint(condition=~Q(online_level=4) | Q(online_service="full"),
                                   name="procedure_level4_is_full_online"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.name_folded = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("procedure-detail", args=[self.code])

    @property
    def files_online(self) -> bool:
        return self.online_service != self.OnlineService.NONE

    @property
    def resolution_label(self) -> str:
        value = self.resolution_time.normalize() if isinstance(self.resolution_time, Decimal) else self.resolution_time
        return f"{value:f} {self.get_time_unit_display()}"


class Fee(models.Model):
    """A charge (phí or lệ phí) in whole đồng."""

    class Kind(models.TextChoices):
        FEE = "fee", "Phí"
        CHARGE = "charge", "Lệ phí"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    name = models.CharField("tên khoản thu", max_length=255)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        # By the column, not the relation, here and below: the relation would join the parent
        # table into every read just to sort by the parent's own ordering.
        ordering = ["procedure_id", "id"]

    def __str__(self):
        return f"{self.name}: {self.amount:,} đồng".replace(",", ".")


class RequiredPaper(models.Model):
    """One paper of the dossier (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="papers")
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên giấy tờ", max_length=500)
    originals = models.PositiveSmallIntegerField("số bản chính", default=1)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    mandatory = models.BooleanField("bắt buộc", default=True)
    form_template = models.FileField("mẫu đơn, tờ khai", upload_to="procedures/forms/", blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        # By the column, not the relation: "procedure" would sort by the procedure's own ordering
        # and join procedure and field into every read of a procedure's papers.
        ordering = ["procedure_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(originals__gt=0) | Q(copies__gt=0), name="paper_has_a_count"),
        ]

    def __str__(self):
        return self.name


class Process(models.Model):
    """Internal process (quy trình nội bộ) of a procedure, the default or an agency's own."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="processes")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="processes", help_text="Để trống: quy trình mặc định.")
    name = models.CharField("tên quy trình", max_length=255, blank=True)

    class Meta:
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency"], name="process_unique_per_agency"),
            models.UniqueConstraint(fields=["procedure"], condition=Q(agency__isnull=True),
                                    name="process_unique_default"),
        ]

    def __str__(self):
        return self.name or f"Quy trình {self.procedure.code}"


class ProcessStep(models.Model):
    """One step of a process: who handles it and its share of the resolution time."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò xử lý", max_length=30, choices=Role.choices)
    department_name = models.CharField("phòng ban xử lý", max_length=255, blank=True,
                                       help_text="Tên phòng ban trong cơ quan tiếp nhận (để trống: cả cơ quan).")
    share = models.DecimalField("thời gian (theo đơn vị của thủ tục)", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["process_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["process", "order"], name="process_step_order_unique"),
            models.CheckConstraint(condition=Q(share__gt=0), name="process_step_share_positive"),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class AgencyProcedure(models.Model):
    """A procedure an agency handles (cơ quan thực hiện), optionally with its own process."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="procedure_links")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="agency_links")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "cơ quan thực hiện"
        verbose_name_plural = "cơ quan thực hiện"
        constraints = [models.UniqueConstraint(fields=["agency", "procedure"], name="agency_procedure_unique")]

    def __str__(self):
        return f"{self.agency} — {self.procedure.code}"
