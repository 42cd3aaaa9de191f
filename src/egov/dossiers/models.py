"""One-stop dossiers (hồ sơ một cửa): intake, steps, supplements, results, returns, apologies."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from egov.core.text import fold
from egov.dossiers import planning
from egov.org.roles import Role
from egov.signing.verdicts import SignatureFields

STATS_COLUMNS = ["status", "outcome", "channel", "due_at", "procedure"]


class Dossier(models.Model):
    """A citizen's or business's dossier for one procedure at one receiving agency (hồ sơ)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        SUBMITTED = "submitted", "Chờ tiếp nhận"
        RECEIVED = "received", "Đã tiếp nhận"
        IN_PROGRESS = "in_progress", "Đang giải quyết"
        WAITING_SUPPLEMENT = "waiting_supplement", "Chờ bổ sung"
        TRANSFERRED = "transferred", "Đang liên thông"
        APPROVED = "approved", "Đã có kết quả"
        REJECTED = "rejected", "Không giải quyết"
        RETURNED = "returned", "Đã trả kết quả"
        REFUSED = "refused", "Từ chối tiếp nhận"
        WITHDRAWN = "withdrawn", "Đã rút hồ sơ"

    class Channel(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        COUNTER = "counter", "Trực tiếp tại bộ phận một cửa"

    class Outcome(models.TextChoices):
        EARLY = "early", "Trước hạn"
        ON_TIME = "on_time", "Đúng hạn"
        LATE = "late", "Quá hạn"

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField("mã hồ sơ", max_length=60, unique=True, null=True, blank=True)
    # No single-column FK indexes: the composite indexes below lead with these columns, and a bare
    # agency index tempts PostgreSQL into bitmap heap scans instead of the covering index-only scans.
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name="thủ tục", db_index=False)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="dossiers",
                               verbose_name="cơ quan tiếp nhận", db_index=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="dossiers", verbose_name="tài khoản nộp", db_index=False)
    # Snapshot at filing time: the account may change later, the dossier must not.
    applicant_name = models.CharField("họ tên người nộp", max_length=200)
    applicant_id_number = models.CharField("số định danh/mã số thuế", max_length=20, blank=True)
    applicant_phone = models.CharField("số điện thoại", max_length=20, blank=True)
    applicant_email = models.CharField("thư điện tử", max_length=254, blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    note = models.TextField("nội dung yêu cầu", blank=True)
    form_data = models.JSONField("nội dung tờ khai điện tử", default=dict, blank=True)
    channel = models.CharField("hình thức nộp", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.DRAFT)
    current_step = models.ForeignKey("DossierStep", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # Bumped by every service write: an officer acting on a stale page gets StateError.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    due_at = models.DateTimeField("hẹn trả kết quả", null=True, blank=True)
    resolved_at = models.DateTimeField("ngày có kết quả", null=True, blank=True)
    returned_at = models.DateTimeField("ngày trả kết quả", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_office_time = models.DurationField(default=dt.timedelta(0))
    outcome = models.CharField("kết quả đúng hạn", max_length=10, choices=Outcome.choices, null=True, blank=True)
    refusal_reason = models.TextField("lý do", blank=True)
    search_folded = models.CharField(max_length=300, editable=False, default="")

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-created_at", "-id"]
        constraints = [
            # An online dossier gets its code when submitted; a draft has none yet.
            models.CheckConstraint(condition=Q(code__isnull=True) | ~Q(status="draft"),
                                   name="dossier_draft_has_no_code"),
            models.CheckConstraint(
                condition=~Q(status__in=["received", "in_progress", "waiting_supplement", "transferred",
                                         "approved", "rejected", "returned"])
                | (Q(code__isnull=False) & Q(received_at__isnull=False) & Q(due_at__isnull=False)),
                name="dossier_received_has_code_and_due"),
            models.CheckConstraint(condition=~Q(status="refused") | Q(received_at__isnull=False),
                                   name="dossier_refused_has_received_at"),
            models.CheckConstraint(
                condition=(Q(status__in=["approved", "rejected", "returned"]) & Q(outcome__isnull=False)
                           & Q(resolved_at__isnull=False))
                | (~Q(status__in=["approved", "rejected", "returned"]) & Q(outcome__isnull=True)),
                name="dossier_outcome_iff_resolved"),
            models.CheckConstraint(condition=~Q(status="waiting_supplement") | Q(paused_at__isnull=False),
                                   name="dossier_waiting_has_pause"),
        ]
        indexes = [
            # Statistics read only these indexes (index-only scans on PostgreSQL): the columns the
            # buckets look at ride along in INCLUDE, so a year of an agency never touches the heap.
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received",
                         include=STATS_COLUMNS),
            models.Index(fields=["received_at"], name="dossier_received", include=["agency"] + STATS_COLUMNS),
            # The officer's list: newest first within the agency, optionally one status. The pager
            # reads a deep page's ids first (see CappedPaginator): with `status` (and for lists over
            # several agencies `agency`) riding along, skipping 10,000 rows never touches the table.
            models.Index(fields=["agency", "created_at", "id"], name="dossier_agency_created", include=["status"]),
            models.Index(fields=["agency", "status", "created_at", "id"], name="dossier_agency_status_created"),
            # Lists over a whole province (dozens of agencies): walk the date order and filter.
            models.Index(fields=["created_at", "id"], name="dossier_created", include=["agency", "status"]),
            models.Index(fields=["status", "created_at", "id"], name="dossier_status_created", include=["agency"]),
            models.Index(fields=["agency", "status", "due_at"], name="dossier_agency_status_due"),
            # Overdue lists, longest overdue first: only the running dossiers, a few percent of all.
            models.Index(fields=["due_at", "id"], name="dossier_running_due", include=["agency"],
                         condition=Q(status__in=["received", "in_progress", "transferred"])),
            models.Index(fields=["procedure", "received_at"], name="dossier_procedure_received"),
            models.Index(fields=["applicant", "created_at"], name="dossier_applicant_created"),
        ]

    def __str__(self):
        return self.code or f"Hồ sơ chưa có mã #{self.pk}"

    def save(self, *args, **kwargs):
        self.fold_for_search()
        super().save(*args, **kwargs)

    def fold_for_search(self) -> None:
        """What `save()` adds to every write; writers that skip `save()` call it themselves."""
        self.search_folded = fold(f"{self.code or ''} {self.applicant_name}")[:300]

    def get_absolute_url(self):
        return reverse("dossier-detail", args=[self.pk])

    @property
    def tracking_url(self) -> str:
        return f"{settings.SITE_URL}{reverse('dossier-track-code', args=[self.code])}" if self.code else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        return is_overdue(self.status, self.due_at, now)

    def refresh(self) -> Dossier:
        self.refresh_from_db()
        return self

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row contributes to the statistics tallies as read, so the write that changes it
        # (services.bump) moves the counts from the old buckets to the new ones without a re-read.
        instance._tallied = tally_state(instance)
        return instance


# The columns a dossier's statistics tallies depend on (see tallies.py).
TALLY_STATE_FIELDS = ("agency_id", "procedure_id", "channel", "status", "outcome", "received_at", "resolved_at",
                      "closed_at")


def tally_state(dossier) -> tuple | None:
    """The tally-relevant columns of `dossier` as loaded; None when some were deferred (unknown)."""
    values = dossier.__dict__
    if any(name not in values for name in TALLY_STATE_FIELDS):
        return None
    return tuple(values[name] for name in TALLY_STATE_FIELDS)


S = Dossier.Status
# Received and the clock is running at the agency (counted as "in progress").
RUNNING_STATUSES = (S.RECEIVED, S.IN_PROGRESS, S.TRANSFERRED)
OPEN_STATUSES = RUNNING_STATUSES + (S.WAITING_SUPPLEMENT,)
RESOLVED_STATUSES = (S.APPROVED, S.REJECTED, S.RETURNED)


@dataclass(frozen=True)
class Bucket:
    """A statistics bucket (nhóm thống kê): where a received dossier stands now. Every received
    dossier is in exactly one, so they sum to the received."""

    name: str             # the figure in statistics and the API
    label: str            # on the statistics page
    column: str           # the DossierTally count that holds it (the two running buckets share one)
    statuses: tuple       # the statuses it takes
    outcome: str = ""     # resolved with this outcome
    overdue: bool | None = None  # running ones: split live by is_overdue, since time alone moves them

    def holds(self, status: str, outcome: str | None) -> bool:
        """Whether a dossier with this status and outcome is counted in this bucket's column."""
        return status in self.statuses and (outcome or "") == self.outcome

    def condition(self) -> Q:
        """`holds` as a filter (an outcome is only ever set on a resolved dossier: a DB constraint)."""
        return Q(outcome=self.outcome) if self.outcome else Q(status__in=self.statuses)


BUCKETS = (
    Bucket("resolved_early", "Giải quyết trước hạn", "early", RESOLVED_STATUSES, Dossier.Outcome.EARLY),
    Bucket("resolved_on_time", "Giải quyết đúng hạn", "on_time", RESOLVED_STATUSES, Dossier.Outcome.ON_TIME),
    Bucket("resolved_late", "Giải quyết quá hạn", "late", RESOLVED_STATUSES, Dossier.Outcome.LATE),
    Bucket("in_progress_on_time", "Đang giải quyết, trong hạn", "running", RUNNING_STATUSES, overdue=False),
    Bucket("in_progress_overdue", "Đang giải quyết, quá hạn", "running", RUNNING_STATUSES, overdue=True),
    Bucket("waiting_supplement", "Chờ bổ sung", "waiting", (S.WAITING_SUPPLEMENT,)),
    Bucket("refused", "Từ chối tiếp nhận", "refused", (S.REFUSED,)),
    Bucket("withdrawn", "Công dân rút hồ sơ", "withdrawn", (S.WITHDRAWN,)),
)


def bucket_column(status: str, outcome: str | None) -> str:
    """The tally column a received dossier with this status and outcome counts in."""
    for bucket in BUCKETS:
        if bucket.holds(status, outcome):
            return bucket.column
    raise AssertionError(f"a received dossier in status {status} has no statistics bucket")


def is_overdue(status: str, due_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Overdue (quá hạn): the clock runs at the agency and the due day has passed (planning.is_late)."""
    return bool(status in RUNNING_STATUSES and due_at and planning.is_late(due_at, now or timezone.now()))


def overdue_filter(now: dt.datetime | None = None) -> Q:
    """`is_overdue` as a filter: a range on due_at, served by (agency, status, due_at) and the
    partial index of running dossiers by due date."""
    return Q(status__in=RUNNING_STATUSES, due_at__lt=planning.overdue_before(now or timezone.now()))


TALLY_COUNTS = ("received_online", "received_counter", "early", "on_time", "late", "refused", "withdrawn",
                "waiting", "running", "returned", "finished")
# The tally columns of the buckets in the table's order; of the resolved; of the finished (not open).
BUCKET_COLUMNS = tuple(name for name in TALLY_COUNTS if any(b.column == name for b in BUCKETS))
RESOLVED_COLUMNS = tuple(dict.fromkeys(b.column for b in BUCKETS if b.outcome))
FINISHED_COLUMNS = tuple(dict.fromkeys(b.column for b in BUCKETS if not set(b.statuses) & set(OPEN_STATUSES)))


def sum_of(columns) -> models.Expression:
    """`F(a) + F(b) + ...`: tally columns added in SQL."""
    return functools.reduce(operator.add, (models.F(name) for name in columns))


class DossierTally(models.Model):
    """Pre-aggregated statistics (số liệu thống kê tổng hợp): one row per agency, procedure and local day.

    Kept by `services.bump` in the transaction of every dossier write, so statistics sum a few
    hundred rows per agency-year instead of counting every dossier. Counts by the day a dossier was
    RECEIVED: how it was filed and where it stands now (early, on_time, late: resolved with that
    outcome; refused; withdrawn; waiting: for a supplement; running: received and the clock
    running; returned: resolved and handed over, a part of early + on_time + late). `finished`
    counts by the day a dossier FINISHED (resolved, refused, withdrawn), for "carried over".
    `egov dossiers stats-check` compares the rows with a recount, `stats-rebuild` recomputes them.
    """

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    received_online = models.IntegerField(default=0)
    received_counter = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)
    running = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)

    class Meta:
        verbose_name = "số liệu hồ sơ theo ngày"
        verbose_name_plural = "số liệu hồ sơ theo ngày"
        constraints = [
            # (agency, day) leads: a period of an agency subtree is a range scan of this index.
            models.UniqueConstraint(fields=["agency", "day", "procedure"], name="dossier_tally_unique"),
            *[models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"dossier_tally_{name}_gte_0")
              for name in TALLY_COUNTS],
            # Every dossier received that day is in exactly one bucket.
            models.CheckConstraint(
                condition=Q(received_online=sum_of(BUCKET_COLUMNS) - models.F("received_counter")),
                name="dossier_tally_buckets_sum_to_received"),
            models.CheckConstraint(
                condition=Q(returned__lte=sum_of(RESOLVED_COLUMNS)),
                name="dossier_tally_returned_are_resolved"),
        ]
        indexes = [
            # Dossiers still open, by day received: "carried over" sums these rows before a date,
            # which stay few however long the history grows.
            models.Index(fields=["agency", "day"], name="dossier_tally_open",
                         condition=Q(running__gt=0) | Q(waiting__gt=0), include=["running", "waiting"]),
        ]

    def __str__(self):
        return f"{self.agency_id}/{self.procedure_id}/{self.day}"


class DossierStep(models.Model):
    """One step of a dossier's handling (bước xử lý), including steps at another agency (liên thông)."""

    class Action(models.TextChoices):
        FORWARDED = "forwarded", "Chuyển bước tiếp theo"
        SENT_BACK = "sent_back", "Trả lại bước trước"
        SUPPLEMENT = "supplement", "Yêu cầu bổ sung"
        TRANSFERRED = "transferred", "Chuyển liên thông"
        TRANSFER_DONE = "transfer_done", "Hoàn thành liên thông"
        APPROVED = "approved", "Phê duyệt"
        REJECTED = "rejected", "Không giải quyết"
        WITHDRAWN = "withdrawn", "Công dân rút hồ sơ"
        RETURNED = "returned", "Trả kết quả"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    step_order = models.PositiveSmallIntegerField(null=True, blank=True,
                                                  help_text="Thứ tự bước trong quy trình; trống: bước liên thông.")
    name = models.CharField("tên bước", max_length=255)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("vai trò xử lý", max_length=30, choices=Role.choices)
    department_name = models.CharField(max_length=255, blank=True)
    # Who handles the step: its assignees (named people) if any, else the members of `department`
    # holding `role` (a department's queue), else anyone of the agency holding `role`.
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="phòng ban xử lý")
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="dossier_steps")
    is_transfer = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "bước xử lý hồ sơ"
        # By the column, not the relation, here and below: the relation would join the parent
        # table into every read just to sort by the parent's own ordering.
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_step_seq_unique"),
            models.CheckConstraint(condition=Q(finished_at__isnull=True) | ~Q(action=""),
                                   name="dossier_step_finished_has_action"),
        ]
        indexes = [models.Index(fields=["agency", "role", "finished_at"], name="dossier_step_queue")]

    def __str__(self):
        return f"{self.seq}. {self.name}"

    def is_overdue(self, now=None) -> bool:
        """Finished after its due day, or still open when that day has passed."""
        return bool(self.due_at and planning.is_late(self.due_at, self.finished_at or now or timezone.now()))


class DossierEvent(models.Model):
    """An entry of the dossier's timeline (diễn biến), as shown to the citizen and officers."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=255, help_text="Công khai: không chứa thông tin cá nhân.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier_id", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_event_at")]


class DossierFile(models.Model):
    """A paper of the dossier (thành phần hồ sơ) uploaded as PDF, JPEG or PNG."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    paper = models.ForeignKey("procedures.RequiredPaper", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    supplement = models.ForeignKey("SupplementRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="files")
    label = models.CharField("tên giấy tờ", max_length=500)
    file = models.FileField(upload_to="dossiers/papers/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["dossier_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                                   name="dossier_file_known_type"),
        ]


class DailyCounter(models.Model):
    """Per-agency, per-day sequence for dossier codes; locked row so numbers never skip or repeat."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique")]


class SubmissionKey(models.Model):
    """An idempotency key (form token or `Idempotency-Key`) already used by one submitter."""

    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=120)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="submission_key_unique")]


class SupplementRequest(models.Model):
    """A request for missing papers (yêu cầu bổ sung); the clock stops until the citizen resubmits."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    missing = models.JSONField("giấy tờ còn thiếu", default=list)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    paused_office_time = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "requested_at"]


class ResultDocument(SignatureFields):
    """A result paper (kết quả giải quyết) attached by an officer, PDF only.

    Its digital signatures are checked once, when it is attached, and the verdict is kept here
    (against the trusted roots of that moment), so lists show it without re-verifying the PDF.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    label = models.CharField(max_length=255)
    file = models.FileField(upload_to="dossiers/results/%Y/%m/", max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class ReturnRecord(models.Model):
    """How the result reached the citizen (trả kết quả): who handed it over, when and how."""

    class Method(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        COUNTER = "counter", "Tại bộ phận một cửa"
        POST = "post", "Qua dịch vụ bưu chính"

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="return_record")
    method = models.CharField(max_length=10, choices=Method.choices)
    returned_at = models.DateTimeField()
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    receiver_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=255, blank=True)


class ApologyLetter(models.Model):
    """Apology letter with a new date (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    reason = models.TextField("lý do chậm")
    new_due_at = models.DateTimeField("ngày hẹn mới")
    previous_due_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier_id", "created_at"]
        constraints = [models.CheckConstraint(condition=Q(new_due_at__gt=models.F("previous_due_at")),
                                              name="apology_new_date_later")]
