"""Citizen feedback and proposals (phản ánh, kiến nghị) and satisfaction ratings (đánh giá mức độ hài lòng).

A feedback moves through one state machine (`services.py`, `docs/feedback.md`):

    pending (anonymous sender, code not yet confirmed) → new (at the receiving office, to classify)
    → assigned (at the competent agency, a specialist drafts) → review (a leader approves)
    → answered (resolved).
    new/assigned → closed (without action) or not_competent; answered → assigned again on reopen.

"Resolved" is only `answered`: closing without action and "not competent" are kept apart, and a
reopened feedback is back in the queue (counted in `reopen_count`), never resolved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeedbackField(models.Model):
    """A field of feedback (lĩnh vực phản ánh) with the handling deadline administrators set."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200)
    handling_days = models.PositiveSmallIntegerField("thời hạn xử lý (ngày làm việc)", default=10)
    is_active = models.BooleanField("đang dùng", default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = "lĩnh vực phản ánh"
        verbose_name_plural = "lĩnh vực phản ánh"
        ordering = ["order", "name"]
        constraints = [models.CheckConstraint(condition=Q(handling_days__gte=1) & Q(handling_days__lte=90),
                                              name="feedback_field_days_range")]

    def __str__(self):
        return self.name


class Feedback(models.Model):
    """One feedback or proposal from a citizen or business; `agency` is who holds it now."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ xác nhận"
        NEW = "new", "Chờ phân loại"
        ASSIGNED = "assigned", "Đang xử lý"
        REVIEW = "review", "Chờ lãnh đạo duyệt"
        ANSWERED = "answered", "Đã trả lời"
        CLOSED = "closed", "Đóng, không xử lý"
        NOT_COMPETENT = "not_competent", "Không thuộc thẩm quyền"

    class Channel(models.TextChoices):
        WEB = "web", "Cổng dịch vụ công"
        API = "api", "Ứng dụng, hệ thống khác"
        COUNTER = "counter", "Trực tiếp"

    code = models.CharField("mã phản ánh", max_length=30, unique=True)
    subject = models.CharField("tiêu đề", max_length=255)
    content = models.TextField("nội dung")
    field = models.ForeignKey(FeedbackField, verbose_name="lĩnh vực", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="feedback")
    channel = models.CharField("kênh gửi", max_length=10, choices=Channel.choices, default=Channel.WEB)

    # The sender: never shown on public pages or the tracking API.
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="feedback_sent")
    sender_name = models.CharField("họ tên", max_length=200, blank=True)
    sender_phone = models.CharField("số điện thoại", max_length=20, blank=True, db_index=True)
    sender_email = models.CharField("thư điện tử", max_length=254, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    # The place it is about.
    unit = models.ForeignKey("org.AdministrativeUnit", verbose_name="đơn vị hành chính", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    map_x = models.FloatField(null=True, blank=True, help_text="Vị trí trên sơ đồ đơn vị hành chính, 0–1.")
    map_y = models.FloatField(null=True, blank=True)

    publish_consent = models.BooleanField("đồng ý công khai", default=False)
    is_private = models.BooleanField("riêng tư (không công khai)", default=False)
    is_hidden = models.BooleanField("ẩn (kiểm duyệt)", default=False)

    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.PENDING)
    suggested_agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name="cơ quan người gửi chọn")
    agency = models.ForeignKey("org.Agency", verbose_name="cơ quan đang xử lý", on_delete=models.PROTECT,
                               related_name="feedback")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="chuyên viên xử lý", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="feedback_handled")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", verbose_name="trùng với")

    created_at = models.DateTimeField("ngày gửi", auto_now_add=True)
    confirmed_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True)
    assigned_at = models.DateTimeField("ngày giao xử lý", null=True, blank=True)
    due_at = models.DateTimeField("hạn xử lý", null=True, blank=True)
    answered_at = models.DateTimeField("ngày trả lời", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField("ngày báo lãnh đạo (quá hạn)", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("số lần mở lại", default=0)
    reopened_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField("lý do", blank=True)
    version = models.PositiveIntegerField(default=1)
    search_folded = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | Q(confirmed_at__isnull=False),
                                   name="feedback_confirmed_has_time"),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "review"])
                | (Q(assigned_at__isnull=False) & Q(due_at__isnull=False) & Q(field__isnull=False)),
                name="feedback_assigned_has_due"),
            models.CheckConstraint(condition=~Q(status="answered") | Q(answered_at__isnull=False),
                                   name="feedback_answered_has_time"),
            models.CheckConstraint(condition=~Q(status__in=["closed", "not_competent"])
                                   | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                                   name="feedback_closed_has_reason"),
            models.CheckConstraint(condition=Q(sender__isnull=False) | ~Q(sender_phone="") | ~Q(sender_email=""),
                                   name="feedback_has_a_way_back"),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="feedback_not_own_duplicate"),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "created_at", "id"], name="feedback_agency_status"),
            models.Index(fields=["agency", "created_at", "id"], name="feedback_agency_created"),
            models.Index(fields=["status", "due_at"], name="feedback_status_due"),
            models.Index(fields=["sender", "created_at"], name="feedback_sender_created"),
            models.Index(fields=["unit", "created_at"], name="feedback_unit_created"),
        ]

    def __str__(self):
        return f"{self.code} {self.subject[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.ASSIGNED, self.Status.REVIEW)


OPEN_STATUSES = (Feedback.Status.NEW, Feedback.Status.ASSIGNED, Feedback.Status.REVIEW)
FINISHED_STATUSES = (Feedback.Status.ANSWERED, Feedback.Status.CLOSED, Feedback.Status.NOT_COMPETENT)


class FeedbackFile(models.Model):
    """A photo (JPEG/PNG, metadata stripped before storing) or PDF attached by the sender or to an answer."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="files")
    answer = models.ForeignKey("FeedbackAnswer", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="files")
    file = models.FileField(upload_to="feedback/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    is_hidden = models.BooleanField("ẩn (kiểm duyệt)", default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class FeedbackAnswer(models.Model):
    """The answer (văn bản trả lời): drafted by a specialist, approved or returned by a leader.

    `public_text` is what the public page shows: the approved text with personal data removed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo chờ duyệt"
        APPROVED = "approved", "Đã duyệt"
        RETURNED = "returned", "Trả lại để sửa"
        # Approved once, then the sender was not satisfied and reopened the feedback: no longer
        # the feedback's answer (nor public), kept with its rating for the record.
        REOPENED = "reopened", "Người gửi mở lại"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField("nội dung trả lời")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    # None for an answer drafted through another system's API key (rows name people, keys are not).
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    is_published = models.BooleanField("công khai", default=False)
    public_subject = models.CharField(max_length=255, blank=True)
    public_text = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    search_folded = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-drafted_at", "-id"]
        constraints = [
            # One answer at a time is waiting for the leader, and one is the feedback's answer.
            models.UniqueConstraint(fields=["feedback"], condition=Q(status="draft"), name="feedback_one_draft"),
            models.UniqueConstraint(fields=["feedback"], condition=Q(status="approved"),
                                    name="feedback_one_approved"),
            models.CheckConstraint(condition=Q(status="draft") | Q(decided_at__isnull=False),
                                   name="feedback_answer_decided_has_time"),
            models.CheckConstraint(condition=Q(is_published=False)
                                   | (Q(status="approved") & Q(published_at__isnull=False)),
                                   name="feedback_answer_published_is_approved"),
        ]
        indexes = [
            # The public list: newest published answers first.
            models.Index(fields=["-published_at", "-id"], name="feedback_answer_published",
                         condition=Q(is_published=True)),
        ]


class FeedbackEvent(models.Model):
    """A step in a feedback's history; `label` is public (the tracking page), `note` is staff-only."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=255, help_text="Công khai: không chứa thông tin cá nhân.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["feedback", "at"], name="feedback_event_at"),
                   models.Index(fields=["kind", "at"], name="feedback_event_kind_at")]


class Redaction(models.Model):
    """A moderator's change to what a feedback shows (kiểm duyệt): hidden, redacted or made private.

    The text before the change is kept here, so moderation never loses what the sender wrote.
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="redactions")
    file = models.ForeignKey(FeedbackFile, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20)
    field_name = models.CharField(max_length=40, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Confirmation(models.Model):
    """A one-time code sent to an anonymous sender's phone or email; only its hash is kept."""

    class Channel(models.TextChoices):
        SMS = "sms", "Tin nhắn SMS"
        EMAIL = "email", "Thư điện tử"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="confirmations")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    target = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SubmissionKey(models.Model):
    """An `Idempotency-Key` (or form token) already used: a repeat returns the first feedback."""

    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=120)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="feedback_submission_key_unique")]


class DailyCounter(models.Model):
    """The day's last feedback sequence number, for codes `PA-<yymmdd>-<seq>`."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class Ban(models.Model):
    """A phone, email or client address whose feedback is refused (danh sách chặn)."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Số điện thoại"
        EMAIL = "email", "Thư điện tử"
        ADDRESS = "address", "Địa chỉ IP"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    value = models.CharField("giá trị", max_length=254)
    reason = models.TextField("lý do")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    until = models.DateTimeField("đến ngày", null=True, blank=True)

    class Meta:
        verbose_name = "chặn người gửi"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="feedback_ban_unique")]


class FeedbackRating(models.Model):
    """The sender's rating of the answer, 1 to 5 stars; one per answer round (a reopen allows another)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="ratings")
    answer = models.OneToOneField(FeedbackAnswer, on_delete=models.CASCADE, related_name="rating")
    stars = models.PositiveSmallIntegerField("số sao")
    satisfied = models.BooleanField("đã được giải quyết")
    comment = models.TextField("ý kiến", blank=True)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5),
                                              name="feedback_rating_stars_range")]
        indexes = [models.Index(fields=["agency", "created_at"], name="feedback_rating_agency")]


class ServiceRating(models.Model):
    """An applicant's satisfaction with how a dossier was handled (đánh giá mức độ hài lòng), one per dossier.

    The levels are those of the national public service portal that Decision 766/QĐ-TTg reads.
    `agency` and `procedure` are copied from the dossier so measurement counts without joining it.
    """

    class Level(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", "Rất hài lòng"
        SATISFIED = "satisfied", "Hài lòng"
        DISSATISFIED = "dissatisfied", "Không hài lòng"

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating")
    level = models.CharField("mức độ hài lòng", max_length=20, choices=Level.choices)
    comment = models.TextField("ý kiến", blank=True)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="+")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đánh giá mức độ hài lòng"
        indexes = [models.Index(fields=["agency", "created_at"], name="service_rating_agency")]
