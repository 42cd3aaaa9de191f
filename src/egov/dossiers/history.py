"""Generated dossier history (lịch sử hồ sơ mẫu): a year of lifelike dossiers for demos and benchmarks.

`generate_history(count=..., start=..., end=...)` bulk-creates dossiers received by the given
agencies (default: every agency that adopted a procedure) for their adopted procedures, with
their step records, timeline events, supplement requests, apology letters and return records,
so that the officer lists, the tracking page and the statistics look like a real office's.

What it is and is not:
- Synthetic history is written with `bulk_create` in batches, **not** through the services: no
  permission checks, **no audit entries**, no notifications, no uploaded papers or result files.
  It is meant for a demo or benchmark database, not for a production one.
- Every row satisfies the model's constraints, and the figures are consistent with how the
  services compute them: codes `<agency>-<yymmdd>-<seq>` in the order of reception, continuing each
  agency's daily counter (`DailyCounter` is raised to the highest number used, so later intake
  carries on without collision); due dates from the agency's working-day calendar (same result as
  `planning.resolution_due`, computed on a precomputed list of working days); time waiting for
  a supplement shifts the due date; the outcome is early / on time / late by calendar day
  (`planning.outcome_on`), and apology letters come only after the due day.
- The mix: online share by the procedure's online service (full ~85 %, partial ~65 %, none 0),
  about 70 % overall for the demo catalogue; most dossiers resolved early or on time, some late
  (with an apology letter), recent ones still in progress (some overdue), some waiting for a
  supplement, a few refused at intake, withdrawn, or not granted.
- The statistics tallies (`DossierTally`) of the agencies written to are recounted at the end
  (`tallies.rebuild`), so statistics read right and later service writes move the right counts.
- Deterministic: the same seed, period, agencies, catalogue and `now` give the same dossiers
  (primary keys aside). Row ids are allocated up front, so run it while nobody else writes
  dossiers (a demo load, a benchmark set-up).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.duration import duration_microseconds

from egov.core.calendar import WorkingCalendar
from egov.core.text import fold
from egov.dossiers import planning, tallies
from egov.dossiers.codes import format_code
from egov.dossiers.models import (
    ApologyLetter,
    DailyCounter,
    Dossier,
    DossierEvent,
    DossierStep,
    ReturnRecord,
    SupplementRequest,
)
from egov.org.roles import Role

S = Dossier.Status
A = DossierStep.Action
US = 1_000_000  # positions are integer microseconds of office time
_R = SimpleNamespace  # a row being built: attribute names are the model's attnames

ONLINE_SHARE = {"full": 0.85, "partial": 0.65, "none": 0.0}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Trương", "Tôn Nữ", "Hà", "Cao"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức", "Thu", "Công", "Xuân", "Bảo", "Gia", "Kim"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khoa", "Linh", "Nhi",
         "Phương", "Quỳnh", "Thắng", "Trí", "Uyên", "Việt", "Xuyến"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Nguyễn Huệ", "Bà Triệu", "Phan Đình Phùng", "Lý Thường Kiệt",
           "Điện Biên Phủ", "Nguyễn Trãi", "Lê Duẩn", "Trường Chinh", "Hai Bà Trưng"]
COMPANY_WORDS = ["Sông Hương", "Thiên An", "Phú Xuân", "Ngự Bình", "Hoàng Gia", "Minh Phát", "An Cựu", "Vỹ Dạ"]
REFUSALS = ["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
            "Thành phần hồ sơ không đúng quy định, đề nghị nộp lại theo hướng dẫn.",
            "Tờ khai không có chữ ký của người yêu cầu."]
MISSING = ["Bản sao căn cước công dân", "Tờ khai có chữ ký", "Giấy ủy quyền có chứng thực", "Bản vẽ hiện trạng",
           "Giấy tờ chứng minh nơi cư trú"]
APOLOGY_REASONS = ["Hồ sơ phải lấy ý kiến cơ quan liên quan.", "Cần xác minh thực địa.",
                   "Số lượng hồ sơ tăng đột biến trong kỳ."]
REJECT_REASONS = ["Không đủ điều kiện theo quy định.", "Kết quả xác minh không phù hợp với nội dung đề nghị."]
RETURN_LABEL = {m: f"Trả kết quả ({m.label.lower()})" for m in ReturnRecord.Method}


# -- the working-day calendar as a line of office time -------------------------------------------
class OfficeLine:
    """An agency's calendar over a range of days as one line of office time.

    Position `i * day + r` (microseconds) is `r` into the office hours of the i-th working day, so
    adding office time is an addition and "N working days later, same clock time" adds N days.
    A position at a period's end maps to that end (11:30, 17:00), as `add_office_time` returns it.
    """

    def __init__(self, cal: WorkingCalendar, first: dt.date, last: dt.date, tz):
        self.tz = tz
        self.days: list[dt.date] = []
        day = first
        while day <= last:
            if cal.is_working_day(day):
                self.days.append(day)
            day += dt.timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}
        self.periods = []  # (start offset from midnight, cumulative office start, length), microseconds
        cumulative = 0
        for start, end in cal.periods:
            begin = (start.hour * 3600 + start.minute * 60 + start.second) * US
            length = (end.hour * 3600 + end.minute * 60 + end.second) * US - begin
            self.periods.append((begin, cumulative, length))
            cumulative += length
        self.day = cumulative
        self.ordinal = [d.toordinal() for d in self.days]

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        lo = bisect.bisect_left(self.ordinal, start.toordinal())
        hi = bisect.bisect_right(self.ordinal, end.toordinal())
        return self.days[lo:hi]

    def at(self, day: dt.date, office_offset: int) -> int:
        """Position of `office_offset` microseconds into the office hours of working day `day`."""
        return self.index[day] * self.day + office_offset

    def position(self, instant: dt.datetime) -> int:
        """Position of the first office instant at or after `instant`."""
        local = timezone.localtime(instant, self.tz)
        i = bisect.bisect_left(self.ordinal, local.date().toordinal())
        if i >= len(self.days):
            raise ValueError("instant beyond the precomputed calendar")
        if self.days[i] != local.date():
            return i * self.day
        clock = ((local.hour * 3600 + local.minute * 60 + local.second) * US + local.microsecond)
        for begin, cumulative, length in self.periods:
            if clock < begin:
                return i * self.day + cumulative
            if clock < begin + length:
                return i * self.day + cumulative + clock - begin
        return (i + 1) * self.day

    def local(self, position: int) -> tuple[dt.date, int]:
        i, r = divmod(position, self.day)
        if r == 0 and i > 0:
            i, r = i - 1, self.day
        if i >= len(self.days):
            raise ValueError("position beyond the precomputed calendar: widen the range")
        for begin, cumulative, length in self.periods:
            if r <= cumulative + length:
                return self.days[i], begin + r - cumulative
        raise AssertionError("unreachable")

    def instant(self, position: int) -> dt.datetime:
        day, clock = self.local(position)
        return (dt.datetime(day.year, day.month, day.day, tzinfo=self.tz) + dt.timedelta(microseconds=clock))

    def date(self, position: int) -> dt.date:
        return self.local(position)[0]

    def amount(self, value, unit: str) -> int:
        """Office time of `value` working days (fractions as office hours) or working hours, as
        `planning.add_time` counts it."""
        value = Decimal(value)
        if unit == "hours":
            return dt.timedelta(hours=float(value)) // dt.timedelta(microseconds=1)
        whole = int(value)
        fraction = value - whole
        extra = (dt.timedelta(microseconds=self.day) * float(fraction)) // dt.timedelta(microseconds=1) if fraction else 0
        return whole * self.day + extra


# -- what the generator works from ------------------------------------------------------------
@dataclass
class _Offer:
    procedure_id: int
    online_share: float
    total: int                # office time allowed, microseconds
    steps: list               # [(PlannedStep, cumulative office time at its end)]
    decision: int             # index in steps of the deciding step
    weight: float


@dataclass
class _Agency:
    pk: int
    code: str
    name: str
    line: OfficeLine
    offers: list
    weights: list
    weight: float


def _agencies_with_offers(agencies, rng, first, last, tz) -> list[_Agency]:
    from egov.org.models import Agency
    from egov.procedures.models import AgencyProcedure

    qs = Agency.objects.filter(is_active=True).order_by("code")
    if agencies is not None:
        qs = qs.filter(pk__in=[getattr(a, "pk", a) for a in agencies])
    qs = qs.select_related("parent")
    result = []
    for agency in qs:
        links = (AgencyProcedure.objects.filter(agency=agency, is_active=True, procedure__is_active=True)
                 .select_related("procedure").order_by("procedure__code"))
        procedures = [link.procedure for link in links]
        if not procedures:
            continue
        line = OfficeLine(WorkingCalendar(agency), first, last, tz)
        offers = []
        order = list(range(len(procedures)))
        rng.shuffle(order)  # popularity ranks: a few procedures take most dossiers (Zipf-like)
        for rank, procedure in zip(order, procedures):
            plan = planning.plan_for(procedure, agency)
            total = line.amount(procedure.resolution_time, procedure.time_unit)
            steps, cumulative = [], Decimal(0)
            for planned in plan:
                cumulative += planned.share
                steps.append((planned, min(total, line.amount(cumulative, procedure.time_unit))))
            decision_order = planning.decision_order(plan)
            decision = next(i for i, (p, _) in enumerate(steps) if p.order == decision_order)
            offers.append(_Offer(procedure.pk, ONLINE_SHARE.get(procedure.online_service, 0.5), total, steps,
                                 decision, 1 / (rank + 1) ** 0.9))
        # Ward/commune People's Committees receive most dossiers; departments fewer.
        local = (agency.parent_id is not None and agency.unit_id is not None
                 and agency.unit_id != agency.parent.unit_id)
        weight = (3.0 if local else 1.0) * len(offers) ** 0.5
        result.append(_Agency(agency.pk, agency.code, agency.name, line, offers, [o.weight for o in offers],
                              weight))
    return result


def _adapter(field, vendor: str):
    """How a value of `field` goes to the database driver, done once per column, not per value."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda v: json.dumps(v, cls=field.encoder)
    if vendor != "sqlite":
        return None  # psycopg adapts datetimes, intervals and UUIDs itself
    if kind == "DateTimeField":
        return lambda v: str(v.astimezone(dt.UTC).replace(tzinfo=None))
    if kind == "DurationField":
        return duration_microseconds
    if kind == "UUIDField":
        return lambda v: v.hex
    if kind == "DateField":
        return lambda v: v.isoformat()
    return None


def _json_default(field):
    """A JSON column's default as the text both drivers write (None when it has none)."""
    return json.dumps(field.get_default()) if field.has_default() else None


class _Table:
    """Rows of one model written straight to the driver: executemany on SQLite, COPY on PostgreSQL.

    Django's bulk_create spends most of its time compiling the INSERT value by value (about 75 %
    of the run in a profile of this generator); a row here is a namespace of attribute values.
    """

    def __init__(self, model, *, with_pk: bool):
        self.vendor = connection.vendor
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.names = [f.attname for f in fields]
        self.defaults = [None if f.primary_key else _json_default(f) if f.get_internal_type() == "JSONField"
                         else f.get_default() for f in fields]
        self.adapters = [(i, a) for i, f in enumerate(fields) if (a := _adapter(f, self.vendor))]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.rows: list[dict] = []

    def add(self, row: SimpleNamespace) -> None:
        self.rows.append(row.__dict__)

    def write(self, cursor) -> None:
        if not self.rows:
            return
        data = []
        for row in self.rows:
            values = [row.get(name, default) for name, default in zip(self.names, self.defaults)]
            for i, adapt in self.adapters:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            data.append(values)
        if self.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for values in data:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(self.names))
            cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", data)
        self.rows = []


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


class _Rows:
    def __init__(self):
        self.dossiers = _Table(Dossier, with_pk=True)
        self.steps = _Table(DossierStep, with_pk=True)
        self.events = _Table(DossierEvent, with_pk=False)
        self.supplements = _Table(SupplementRequest, with_pk=False)
        self.apologies = _Table(ApologyLetter, with_pk=False)
        self.returns = _Table(ReturnRecord, with_pk=False)
        self.tables = [self.dossiers, self.steps, self.events, self.supplements, self.apologies, self.returns]
        self.skip_fk_triggers = connection.vendor == "postgresql" and _is_superuser()

    def __len__(self):
        return len(self.dossiers.rows)

    def flush(self) -> None:
        if not self.dossiers.rows:
            return
        # One transaction per batch; current_step is a deferred foreign key, so the steps may
        # follow the dossiers that point at them.
        with transaction.atomic(), connection.cursor() as cursor:
            if self.skip_fk_triggers:
                # PostgreSQL checks every foreign key of every row with a deferred trigger: at a
                # million dossiers that queue is most of the load time. The rows reference only
                # rows that exist or come in this same batch, so a superuser skips the triggers
                # for this transaction (`replica` role); constraints and indexes still apply.
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in self.tables:
                table.write(cursor)


def generate_history(*, count: int, start: dt.date, end: dt.date, agencies=None, seed: int = 0, progress=None,
                     now: dt.datetime | None = None, batch_size: int = 5000, timeline: bool = True) -> dict:
    """Bulk-create `count` dossiers received on working days in [start, end] (see the module doc).

    `agencies`: agencies (or pks) to generate for, default every active agency with adopted
    procedures. `progress(done, total)` is called after each batch. `now`: the moment the history
    is seen from (statuses, overdue), default the current time; days after it are not used.
    `timeline=False` skips the timeline events (DossierEvent), which triples the speed at scale.
    Returns a summary: counts per status and the number of counters updated.
    """
    if count <= 0:
        return {"count": 0}
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    end = min(end, timezone.localtime(now, tz).date() - dt.timedelta(days=1))  # whole days only
    if end < start:
        raise ValueError("empty period")
    rng = random.Random(seed)
    first, last = start - dt.timedelta(days=7), end + dt.timedelta(days=550)
    offices = _agencies_with_offers(agencies, rng, first, last, tz)
    if not offices:
        raise ValueError("no agency with adopted procedures: load the procedures demo first")

    # Days and how many dossiers each receives: Mondays busier, Fridays and make-up Saturdays quieter.
    by_day: dict[dt.date, list[_Agency]] = defaultdict(list)
    for office in offices:
        for day in office.line.working_days(start, end):
            by_day[day].append(office)
    days = sorted(by_day)
    if not days:
        raise ValueError("no working day in the period")
    day_weight = {0: 1.2, 1: 1.05, 2: 1.0, 3: 1.0, 4: 0.85, 5: 0.5, 6: 0.3}
    span = max(1, (days[-1] - days[0]).days)
    weights = [day_weight[d.weekday()] * sum(o.weight for o in by_day[d]) * (0.9 + 0.2 * (d - days[0]).days / span)
               for d in days]
    per_day = defaultdict(int)
    for day in rng.choices(days, weights=weights, k=count):
        per_day[day] += 1

    existing = {(a, d): last for a, d, last in DailyCounter.objects.filter(day__gte=start, day__lte=end)
                .values_list("agency_id", "day", "last")}
    counters: dict[tuple[int, dt.date], int] = {}
    now_pos = {o.pk: o.line.position(now) for o in offices}
    next_dossier, next_step = _next_id(Dossier), _next_id(DossierStep)
    names = _NameMaker(rng)
    rows = _Rows()
    stats = defaultdict(int)
    done = 0
    for day in days:
        n = per_day.get(day, 0)
        if not n:
            continue
        offices_today = by_day[day]
        chosen = rng.choices(offices_today, weights=[o.weight for o in offices_today], k=n)
        arrivals = []
        for office in chosen:
            # Office-hour arrival: mornings busier (65 % before the lunch break).
            morning = office.line.periods[0][2]
            if rng.random() < 0.65 or len(office.line.periods) == 1:
                offset = rng.randrange(US, morning - US)
            else:
                offset = rng.randrange(morning + US, office.line.day - US)
            pos = office.line.at(day, offset)
            if pos >= now_pos[office.pk]:
                continue  # not yet happened
            arrivals.append((office.code, pos, office))
        arrivals.sort(key=lambda a: (a[0], a[1]))
        for _, pos, office in arrivals:
            offer = rng.choices(office.offers, weights=office.weights, k=1)[0]
            next_step += _make_dossier(rng, office, offer, day, pos, now_pos[office.pk], names, rows, timeline,
                                       next_dossier, next_step, counters, existing)
            next_dossier += 1
            stats[rows.dossiers.rows[-1]["status"]] += 1
        if len(rows) >= batch_size:
            done += len(rows)
            rows.flush()
            if progress:
                progress(done, count)
    done += len(rows)
    rows.flush()
    if progress:
        progress(done, count)
    _save_counters(counters)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Dossier, DossierStep]):
            cursor.execute(sql)
    # The rows bypassed services.bump: recount the statistics tallies of the agencies written to.
    tallies.rebuild(None if agencies is None else [o.pk for o in offices])
    return {"count": done, "counters": len(counters), **dict(sorted(stats.items()))}


def _save_counters(counters: dict) -> None:
    rows = [DailyCounter(agency_id=a, day=d, last=last) for (a, d), last in sorted(counters.items())]
    with transaction.atomic():
        DailyCounter.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                         unique_fields=["agency", "day"], update_fields=["last"])


class _NameMaker:
    def __init__(self, rng):
        self.rng = rng
        self.folded = {}

    def person(self):
        r = self.rng
        name = f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"
        return name

    def company(self):
        r = self.rng
        return f"Công ty TNHH {r.choice(COMPANY_WORDS)} {r.choice(GIVEN)}"

    def fold(self, name):
        value = self.folded.get(name)
        if value is None:
            value = self.folded[name] = fold(name)
        return value


def _make_dossier(rng, office: _Agency, offer: _Offer, day, recv, now_p, names, rows: _Rows, timeline,
                  dossier_id, step_id, counters, existing) -> int:
    """Build one dossier and its rows into `rows`; returns the number of step ids used."""
    line = office.line
    inst = line.instant
    received_at = inst(recv)
    online = rng.random() < offer.online_share
    business = rng.random() < 0.15
    name = names.company() if business else names.person()
    submitted_at = (received_at - dt.timedelta(minutes=rng.randint(20, 60 * 30))) if online else received_at
    d = _R(
        id=dossier_id, ref=uuid.UUID(int=rng.getrandbits(128), version=4), procedure_id=offer.procedure_id,
        agency_id=office.pk, applicant_name=name,
        applicant_id_number=str(rng.randrange(10 ** 9, 10 ** 10)) if business
        else f"046{rng.randrange(10 ** 8, 10 ** 9)}",
        applicant_phone=f"09{rng.randrange(10 ** 7, 10 ** 8)}",
        applicant_address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}, thành phố Huế",
        channel=Dossier.Channel.ONLINE if online else Dossier.Channel.COUNTER,
        created_at=submitted_at, submitted_at=submitted_at, received_at=received_at, version=2)
    events = rows.events
    if online and timeline:
        events.add(_R(dossier_id=dossier_id, at=submitted_at, kind="submitted",
                                   label="Nộp hồ sơ trực tuyến", actor_label=name))

    # Refused at intake (online only): no code, no steps.
    if online and rng.random() < 0.03:
        d.status, d.closed_at, d.refusal_reason = S.REFUSED, received_at, rng.choice(REFUSALS)
        d.search_folded = names.fold(name)[:300]
        rows.dossiers.add(d)
        if timeline:
            events.add(_R(dossier_id=dossier_id, at=received_at, kind="refused",
                                       label="Từ chối tiếp nhận hồ sơ", actor_label="Cán bộ một cửa",
                                       note=getattr(d, "refusal_reason", "")))
        return 0

    key = (office.pk, day)
    seq = counters.get(key) or existing.get(key, 0)
    seq += 1
    counters[key] = seq
    d.code = format_code(office.code, day, seq)
    d.search_folded = f"{d.code.lower()} {names.fold(name)}"[:300]
    if timeline:
        events.add(_R(dossier_id=dossier_id, at=received_at, kind="received",
                                   label="Tiếp nhận hồ sơ" if online else "Tiếp nhận hồ sơ trực tiếp",
                                   actor_label="Cán bộ một cửa"))

    total = offer.total
    # How long the agency takes, as a share of the time allowed: mostly early, some on the day, some late.
    r = rng.random()
    if r < 0.62:
        share = rng.uniform(0.15, 0.85)
    elif r < 0.9:
        share = rng.uniform(0.85, 1.0)
    else:
        share = rng.uniform(1.03, 1.9)
    work = max(int(total * share), 60 * US)
    # A supplement request in ~7 % of dossiers, somewhere in the first half of the work.
    pause_at = pause_len = None
    if rng.random() < 0.07:
        pause_at = recv + int(work * rng.uniform(0.1, 0.5))
        pause_len = int(line.day * rng.uniform(0.5, 8))
    resolve = recv + work + (pause_len or 0)
    withdraw_at = recv + int(work * rng.uniform(0.1, 0.8)) if rng.random() < 0.015 else None
    if withdraw_at is not None and pause_at is not None and withdraw_at > pause_at:
        withdraw_at = None

    # Where the dossier stands at `now`.
    supplement_done = pause_at is not None and pause_at + pause_len <= now_p
    if pause_at is not None and pause_at <= now_p and not supplement_done:
        state = "waiting"
        stop = pause_at
    elif withdraw_at is not None and withdraw_at <= now_p:
        state = "withdrawn"
        stop = withdraw_at
    elif resolve <= now_p:
        state = "resolved"
        stop = resolve
    else:
        state = "running"
        stop = now_p
    if pause_at is not None and pause_at > stop:
        pause_at = None  # the pause would come later than where the dossier is now
        supplement_done = False
    # Waiting for the citizen does not count: once the papers are in, the due date moves by the pause.
    paused_total = pause_len if supplement_done else 0
    due = recv + total + paused_total
    d.due_at = inst(due)
    if supplement_done:
        d.paused_office_time = dt.timedelta(microseconds=pause_len)

    # Steps up to the deciding one, spread over the work in proportion to their shares.
    steps = offer.steps
    decision_end = steps[offer.decision][1] or 1
    span = resolve - recv  # includes the pause
    used = 0
    step_rows = []
    current = None
    previous_end = recv
    for index, (planned, cumulative) in enumerate(steps[: offer.decision + 1]):
        started = previous_end
        finished = recv + int(span * cumulative / decision_end)
        step_due = min(recv + cumulative + paused_total, due)
        step = _R(id=step_id + used, dossier_id=dossier_id, seq=index + 1, step_order=planned.order,
                           name=planned.name, agency_id=office.pk, role=planned.role,
                           department_name=planned.department_name, started_at=inst(started),
                           due_at=inst(step_due))
        used += 1
        step_rows.append(step)
        if finished < stop or (state == "resolved" and index == offer.decision):
            step.finished_at = inst(min(finished, stop))
            if index == offer.decision:
                step.action = A.APPROVED  # may become REJECTED below
            else:
                step.action = A.FORWARDED
                if timeline:
                    nxt = steps[index + 1][0]
                    events.add(_R(dossier_id=dossier_id, at=step.finished_at, kind="forwarded",
                                               label=f"Chuyển bước: {nxt.name}"[:255],
                                               actor_label=Role(planned.role).label))
            previous_end = finished
            continue
        current = step
        break

    if pause_at is not None:
        requested_at = inst(pause_at)
        missing = rng.sample(MISSING, k=rng.randint(1, 2))
        supplement = _R(dossier_id=dossier_id, missing=missing, requested_at=requested_at)
        if supplement_done:
            supplement.resumed_at = inst(pause_at + pause_len)
            supplement.paused_office_time = dt.timedelta(microseconds=pause_len)
        rows.supplements.add(supplement)
        d.version += 2 if supplement_done else 1
        if timeline:
            events.add(_R(dossier_id=dossier_id, at=requested_at, kind="supplement_requested",
                                       label="Yêu cầu bổ sung hồ sơ", actor_label="Chuyên viên",
                                       note="; ".join(missing)))
            if supplement_done:
                events.add(_R(dossier_id=dossier_id, at=supplement.resumed_at, kind="supplemented",
                                           label="Bổ sung hồ sơ", actor_label=name))

    if state == "waiting":
        d.status, d.paused_at = S.WAITING_SUPPLEMENT, inst(pause_at)
    elif state == "withdrawn":
        d.status, d.closed_at = S.WITHDRAWN, inst(withdraw_at)
        d.refusal_reason = "Công dân đề nghị rút hồ sơ."
        if current is not None:
            current.finished_at, current.action, current = d.closed_at, A.WITHDRAWN, None
        if timeline:
            events.add(_R(dossier_id=dossier_id, at=d.closed_at, kind="withdrawn",
                                       label="Công dân rút hồ sơ", actor_label=name))
    elif state == "running":
        d.status = S.RECEIVED if current is not None and current.seq == 1 else S.IN_PROGRESS
    else:  # resolved
        approved = rng.random() >= 0.03
        decided = step_rows[-1]
        d.resolved_at = inst(resolve)
        d.outcome = planning.outcome_on(line.date(resolve), line.date(due))
        d.status = S.APPROVED if approved else S.REJECTED
        if not approved:
            decided.action = A.REJECTED
            d.refusal_reason = rng.choice(REJECT_REASONS)
        if timeline:
            events.add(_R(dossier_id=dossier_id, at=d.resolved_at,
                                       kind="approved" if approved else "rejected",
                                       label="Đã có kết quả giải quyết" if approved else "Không giải quyết hồ sơ",
                                       actor_label="Lãnh đạo", note=getattr(d, "refusal_reason", "")))
        # Then the return step (usually at the counter), open until the result is handed over.
        after = steps[offer.decision + 1:]
        return_at = resolve + int(line.day * rng.uniform(0.05, 3))
        returned = return_at <= now_p and rng.random() < 0.92
        if after:
            planned, cumulative = after[0]
            step = _R(id=step_id + used, dossier_id=dossier_id, seq=len(step_rows) + 1,
                               step_order=planned.order, name=planned.name, agency_id=office.pk, role=planned.role,
                               department_name=planned.department_name, started_at=d.resolved_at,
                               due_at=inst(min(recv + cumulative + paused_total, due)))
            used += 1
            step_rows.append(step)
            current = step
        else:
            current = None
        if returned:
            d.status = S.RETURNED
            d.returned_at = d.closed_at = inst(return_at)
            method = (ReturnRecord.Method.ONLINE if online and rng.random() < 0.6
                      else ReturnRecord.Method.POST if rng.random() < 0.1 else ReturnRecord.Method.COUNTER)
            rows.returns.add(_R(dossier_id=dossier_id, method=method, returned_at=d.returned_at,
                                             receiver_name=name))
            if current is not None:
                current.finished_at, current.action, current = d.returned_at, A.RETURNED, None
            if timeline:
                events.add(_R(dossier_id=dossier_id, at=d.returned_at, kind="returned",
                                           label=RETURN_LABEL[method], actor_label="Cán bộ một cửa"))

    # Late: an apology letter with a new date, issued once the due day has passed (planning.is_late),
    # so from the first office second of the next working day.
    late_at = stop if state == "running" or (state == "resolved" and d.outcome == Dossier.Outcome.LATE) else None
    first_late = (line.index[line.date(due)] + 1) * line.day + US
    if late_at is not None and late_at >= first_late and rng.random() < 0.8:
        issued = first_late + int((late_at - first_late) * rng.uniform(0.1, 0.6))
        new_due = max(issued, due) + int(line.day * rng.randint(2, 10))
        letter = _R(dossier_id=dossier_id, reason=rng.choice(APOLOGY_REASONS), new_due_at=inst(new_due),
                               previous_due_at=d.due_at, created_at=inst(issued))
        rows.apologies.add(letter)
        if timeline:
            events.add(_R(dossier_id=dossier_id, at=letter.created_at, kind="apology",
                                       label="Phiếu xin lỗi và hẹn lại ngày trả kết quả", actor_label="Cán bộ một cửa",
                                       note=f"{letter.reason} (hẹn mới {letter.new_due_at.astimezone(line.tz):%d/%m/%Y %H:%M})"))

    d.current_step_id = current.id if current is not None and d.status not in (S.WITHDRAWN,) else None
    d.version += len(step_rows)
    rows.dossiers.add(d)
    for step in step_rows:
        rows.steps.add(step)
    return used


def default_period(months: int = 12, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last `months` months up to `today`."""
    today = today or timezone.localdate()
    year, month = today.year, today.month - months
    while month <= 0:
        month += 12
        year -= 1
    start = dt.date(year, month, min(today.day, 28))
    return start, today


__all__ = ["OfficeLine", "default_period", "generate_history"]
