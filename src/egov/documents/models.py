"""Official documents (văn bản): incoming and outgoing, their files, handling and review.

One `Document` table holds both directions so that search, visibility and measures read one
indexed table; the direction decides which workflow states apply.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from egov.core.text import fold
from egov.signing.verdicts import SignatureFields


class DocumentType(models.Model):
    """Document type (thể loại văn bản) with the abbreviation printed in symbols (QĐ, KH ...).

    Letters (Công văn) print no abbreviation: their symbol is ISSUER-UNIT (7303/UBND-VP).
    """

    code = models.CharField("mã", max_length=10, unique=True)
    name = models.CharField("tên loại văn bản", max_length=100, unique=True)
    abbreviation = models.CharField("chữ viết tắt", max_length=10, blank=True,
                                    help_text="Để trống với công văn (ký hiệu: cơ quan - đơn vị soạn thảo).")
    symbol_has_year = models.BooleanField("ký hiệu có năm", default=False,
                                          help_text="Văn bản quy phạm pháp luật: 12/2025/NĐ-CP.")
    is_active = models.BooleanField("đang dùng", default=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=100)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def is_letter(self) -> bool:
        return not self.abbreviation


class RegisterCounter(models.Model):
    """The last number given in one register (sổ) of an agency in a year.

    Locked with SELECT ... FOR UPDATE while numbering, so numbers never repeat or skip: the
    counter moves in the same transaction as the document that takes the number.
    """

    class Kind(models.TextChoices):
        INCOMING = "incoming", "Sổ văn bản đến"
        OUTGOING = "outgoing", "Sổ văn bản đi"

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "year"], name="register_counter_unique")]


class Document(SignatureFields):
    """An official document (văn bản): incoming (đến) or outgoing (đi), in one agency.

    Its signature verdict is that of its main PDF: the received one (incoming), the approved
    and then the issued one (outgoing).
    """

    class Direction(models.TextChoices):
        INCOMING = "incoming", "Văn bản đến"
        OUTGOING = "outgoing", "Văn bản đi"

    class Status(models.TextChoices):
        # incoming
        REGISTERED = "registered", "Đã vào sổ"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        DONE = "done", "Đã xử lý xong"
        RECALLED = "recalled", "Đã thu hồi"  # the sender recalled it (liên thông, BussinessDocType 1)
        # outgoing
        DRAFT = "draft", "Dự thảo"
        IN_REVIEW = "in_review", "Đang trình duyệt"
        AWAITING_SIGNATURE = "awaiting_signature", "Chờ lãnh đạo duyệt ký"
        APPROVED = "approved", "Đã duyệt, chờ phát hành"
        ISSUED = "issued", "Đã phát hành"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "Thường"
        URGENT = "urgent", "Khẩn"
        VERY_URGENT = "very_urgent", "Thượng khẩn"
        FLASH = "flash", "Hỏa tốc"

    class Confidentiality(models.TextChoices):
        NORMAL = "normal", "Thường"
        CONFIDENTIAL = "confidential", "Mật"
        SECRET = "secret", "Tối mật"
        TOP_SECRET = "top_secret", "Tuyệt mật"

    class Channel(models.TextChoices):
        PAPER = "paper", "Bản giấy (quét, nhập tay)"
        ELECTRONIC = "electronic", "Điện tử (tệp)"
        INTERNAL = "internal", "Liên thông trong hệ thống"
        EDXML = "edxml", "Liên thông edXML"

    direction = models.CharField("loại", max_length=10, choices=Direction.choices)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="documents",
                               verbose_name="cơ quan")
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices)
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents",
                                 verbose_name="loại văn bản")
    number_symbol = models.CharField("số, ký hiệu", max_length=60, blank=True)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    issuer_name = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    issuer_folded = models.CharField(max_length=255, blank=True, editable=False)
    issuer_agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="cơ quan ban hành (trong hệ thống)")
    summary = models.TextField("trích yếu")
    signer_name = models.CharField("người ký", max_length=150, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=150, blank=True)
    urgency = models.CharField("độ khẩn", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField("độ mật", max_length=20, choices=Confidentiality.choices,
                                       default=Confidentiality.NORMAL)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    channel = models.CharField("hình thức nhận/gửi", max_length=20, choices=Channel.choices,
                               default=Channel.ELECTRONIC)
    # Incoming register (sổ văn bản đến).
    register_year = models.PositiveSmallIntegerField(null=True, blank=True)
    register_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    received_at = models.DateTimeField("ngày đến", null=True, blank=True)
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                               verbose_name="văn bản đi gốc")
    # Outgoing workflow.
    drafting_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+", verbose_name="đơn vị soạn thảo")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="người ký")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    has_digital_signature = models.BooleanField("có chữ ký số", default=False)
    issued_at = models.DateTimeField("ngày phát hành", null=True, blank=True)
    is_published = models.BooleanField("công bố trong thư viện nội bộ", default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "register_year", "register_number"],
                                    condition=Q(register_number__isnull=False), name="document_register_unique"),
            models.UniqueConstraint(fields=["agency", "register_year", "number"],
                                    condition=Q(direction="outgoing", number__isnull=False),
                                    name="document_outgoing_number_unique"),
            models.CheckConstraint(condition=Q(direction="incoming",
                                                                        status__in=["registered", "in_progress", "done", "recalled"])
                                   | Q(direction="outgoing", status__in=["draft", "in_review", "awaiting_signature",
                                                                         "approved", "issued"]),
                                   name="document_status_matches_direction"),
            models.CheckConstraint(condition=~Q(status="issued") | Q(number__isnull=False),
                                   name="document_issued_has_number"),
        ]
        indexes = [
            # Filter-first: every list and search is scoped by agency and direction.
            models.Index(fields=["agency", "direction", "issued_on"], name="doc_agency_dir_issued"),
            models.Index(fields=["agency", "direction", "status"], name="doc_agency_dir_status"),
            models.Index(fields=["agency", "doc_type", "issued_on"], name="doc_agency_type_issued"),
            models.Index(fields=["agency", "is_published"], name="doc_agency_published"),
            # Lists and filter-only searches: newest first within an agency.
            models.Index(fields=["agency", "issued_on", "id"], name="doc_agency_issued"),
        ]

    def __str__(self):
        return f"{self.number_symbol or 'Chưa có số'}: {self.summary[:80]}"

    def save(self, *args, **kwargs):
        self.issuer_folded = fold(self.issuer_name)[:255]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_incoming(self) -> bool:
        return self.direction == self.Direction.INCOMING

    def is_overdue(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return bool(self.due_on and self.status not in (self.Status.DONE, self.Status.ISSUED) and self.due_on < today)


class DocumentFile(SignatureFields):
    """A file of a document: the main PDF, an attachment, a draft version, the final or signed PDF."""

    class Kind(models.TextChoices):
        MAIN = "main", "Văn bản"
        ATTACHMENT = "attachment", "Phụ lục, tài liệu kèm"
        DRAFT = "draft", "Dự thảo"
        FINAL = "final", "Bản cuối đã duyệt"
        ISSUED = "issued", "Bản phát hành"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(upload_to="documents/%Y/%m/", max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    has_digital_signature = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # By the column, not the relation, here and below: the relation would join the parent
        # table into every read just to sort by the parent's own ordering.
        ordering = ["document_id", "kind", "version", "id"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A handling assignment (phân công xử lý) of a document to a department or a person."""

    class Role(models.TextChoices):
        LEAD = "lead", "Chủ trì"
        COOPERATE = "cooperate", "Phối hợp"
        INFORM = "inform", "Để biết"

    class Status(models.TextChoices):
        PENDING = "pending", "Chưa xử lý"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        DONE = "done", "Đã xong"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="document_assignments", verbose_name="người xử lý")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="document_assignments", verbose_name="phòng ban")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instruction = models.TextField("ý kiến chỉ đạo", blank=True)
    deadline = models.DateField("hạn xử lý", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(assignee__isnull=False) | Q(department__isnull=False),
                                   name="assignment_has_assignee"),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False),
                                   name="assignment_done_has_time"),
        ]
        indexes = [models.Index(fields=["assignee", "status"]), models.Index(fields=["department", "status"])]

    def __str__(self):
        return f"{self.get_role_display()}: {self.assignee_label}"

    @property
    def assignee_label(self) -> str:
        if self.assignee_id:
            return self.assignee.display_name
        return self.department.name if self.department_id else ""

    def is_overdue(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        if not self.deadline or self.role == self.Role.INFORM:
            return False
        if self.status == self.Status.DONE:
            return timezone.localtime(self.done_at).date() > self.deadline
        return today > self.deadline


class HandlingNote(models.Model):
    """Progress, an opinion or a review comment on a document (ý kiến, tiến độ xử lý)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Tiến độ"
        OPINION = "opinion", "Ý kiến"
        REVIEW = "review", "Góp ý dự thảo"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notes")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField("nội dung")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class ReviewStep(models.Model):
    """One review step of an outgoing draft (trình duyệt): department head, office, ..."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Chưa đến lượt"
        PENDING = "pending", "Đang chờ cho ý kiến"
        APPROVED = "approved", "Đồng ý"
        RETURNED = "returned", "Trả lại để sửa"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="review_steps")
    round = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="document_reviews")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    comment = models.TextField(blank=True)
    draft_version = models.PositiveSmallIntegerField(default=1)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "round", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "round", "position"], name="review_step_unique")]


class Recipient(models.Model):
    """Where an outgoing document goes (nơi nhận): an agency in the instance or an external address."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_name = models.CharField(max_length=255, blank=True)
    external_address = models.CharField(max_length=255, blank=True)
    # An agency outside this instance reached through the exchange (liên thông): its identifier
    # code (mã định danh), which the exchange's directory maps to the peer that relays it.
    external_code = models.CharField("mã định danh", max_length=40, blank=True)
    delivered = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(agency__isnull=False) | ~Q(external_name=""),
                                   name="recipient_has_target"),
        ]

    def __str__(self):
        return self.agency.name if self.agency_id else self.external_name


class DocumentAccess(models.Model):
    """Who may see a document besides its agency's leaders and clerks: the people and
    departments that handle, draft, review or sign it, or that it was distributed to.
    Kept by the services; visibility is one indexed lookup here."""

    class Reason(models.TextChoices):
        HANDLER = "handler", "Xử lý"
        INFORMED = "informed", "Được phân phối"
        DRAFTER = "drafter", "Soạn thảo"
        REVIEWER = "reviewer", "Cho ý kiến"
        SIGNER = "signer", "Ký duyệt"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(department__isnull=False), name="access_has_target"),
        ]
        indexes = [models.Index(fields=["user", "document"]), models.Index(fields=["department", "document"])]


class SearchText(models.Model):
    """The folded (diacritic-free) text a document is found by: metadata and its PDFs' text.

    SQLite indexes it with an FTS5 table (`documents_fts`, external content), PostgreSQL with a
    generated tsvector column and a GIN index; both are created in migration 0003.
    """

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="search_text")
    # The document's agency, copied so that PostgreSQL's GIN index (agency_id, vector) finds one
    # agency's matches without visiting the others' (searches are always scoped by agency).
    agency = models.ForeignKey("org.Agency", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    body = models.TextField()
