"""The events that notify people (sự kiện thông báo) and their default wording.

`EVENTS` maps each event's code to its `Event` (core.notices.Notice): the ten below, which notify
keeps because they are the platform's own promises to citizens and officials, plus those any app
lists in `<app>/notices.py` as `NOTICES` (an app that adds an event later brings its wording with
it, without editing notify or importing it). Administrators may replace a wording
(NotificationTemplate); these are the defaults and the variables each event's sender provides.

Every context also has `site_name`, `site_url` and `link` (the page the notification points to,
as a full address). SMS texts are written without diacritics (they are folded anyway) and stay
within 160 characters for a typical dossier code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

from egov.core.notices import Notice, all_notices

Event = Notice

CITIZEN, OFFICIAL = "citizen", "official"

CODE = "000.00.12.H57-261124-0007"
_DOSSIER_VARIABLES = {
    "code": "Mã hồ sơ",
    "procedure": "Tên thủ tục",
    "agency": "Cơ quan giải quyết",
    "applicant": "Tên người nộp",
}
_DOSSIER_SAMPLE = {
    "code": CODE,
    "procedure": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "agency": "UBND phường Phú Hội",
    "applicant": "Nguyễn Văn An",
}
_WORK_VARIABLES = {
    "title": "Việc được giao (hồ sơ, văn bản)",
    "code": "Mã hồ sơ hoặc số, ký hiệu văn bản",
    "due_date": "Hạn xử lý (dd/mm/yyyy)",
}
_WORK_SAMPLE = {"title": "Hồ sơ cấp giấy phép xây dựng của Nguyễn Văn An", "code": CODE, "due_date": "02/12/2026"}
_SIGNATURE = "\n\n--\n{{ site_name }}\n{{ site_url }}\n"

DEFAULTS: tuple[Event, ...] = (
    Event(
        "dossier.submitted", "Hồ sơ đã nộp trực tuyến", CITIZEN,
        variables={**_DOSSIER_VARIABLES, "submitted_at": "Thời điểm nộp (dd/mm/yyyy HH:MM)"},
        sample={**_DOSSIER_SAMPLE, "submitted_at": "29/11/2026 09:15"},
        email_subject="Đã nhận hồ sơ {{ code }}",
        email_body=("Kính gửi {{ applicant }},\n\nHồ sơ \"{{ procedure }}\" của ông/bà đã được nộp trực tuyến tới "
                    "{{ agency }} lúc {{ submitted_at }}. Mã hồ sơ: {{ code }}.\n\nCơ quan sẽ kiểm tra và "
                    "tiếp nhận hồ sơ; ông/bà theo dõi tình trạng tại: {{ link }}" + _SIGNATURE),
        sms="Ho so {{ code }} da nop truc tuyen toi {{ agency }}. Tra cuu: soan TRACUU {{ code }}",
        app="Đã nộp hồ sơ {{ code }} ({{ procedure }}).",
    ),
    Event(
        "dossier.received", "Hồ sơ được tiếp nhận", CITIZEN,
        variables={**_DOSSIER_VARIABLES, "due_date": "Ngày hẹn trả kết quả (dd/mm/yyyy)"},
        sample={**_DOSSIER_SAMPLE, "due_date": "12/12/2026"},
        email_subject="Hồ sơ {{ code }} đã được tiếp nhận",
        email_body=("Kính gửi {{ applicant }},\n\n{{ agency }} đã tiếp nhận hồ sơ {{ code }} "
                    "(\"{{ procedure }}\"). Ngày hẹn trả kết quả: {{ due_date }}.\n\nTheo dõi hồ sơ: {{ link }}"
                    + _SIGNATURE),
        sms="Ho so {{ code }} da duoc tiep nhan. Hen tra ket qua {{ due_date }}. Tra cuu: soan TRACUU {{ code }}",
        app="Hồ sơ {{ code }} đã được tiếp nhận, hẹn trả {{ due_date }}.",
    ),
    Event(
        "dossier.supplement_requested", "Yêu cầu bổ sung hồ sơ", CITIZEN,
        variables={**_DOSSIER_VARIABLES, "reason": "Giấy tờ cần bổ sung, lý do"},
        sample={**_DOSSIER_SAMPLE, "reason": "Bản vẽ mặt bằng chưa có chữ ký của người thiết kế."},
        email_subject="Hồ sơ {{ code }} cần bổ sung",
        email_body=("Kính gửi {{ applicant }},\n\nHồ sơ {{ code }} (\"{{ procedure }}\") cần bổ sung:\n"
                    "{{ reason }}\n\nXem chi tiết và nộp bổ sung tại: {{ link }}" + _SIGNATURE),
        sms="Ho so {{ code }} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong.",
        app="Hồ sơ {{ code }} cần bổ sung: {{ reason|truncatechars:120 }}",
    ),
    Event(
        "dossier.result_ready", "Hồ sơ có kết quả", CITIZEN,
        variables={**_DOSSIER_VARIABLES, "rating_link": "Trang đánh giá mức độ hài lòng (địa chỉ đầy đủ)"},
        sample={**_DOSSIER_SAMPLE, "rating_link": "http://127.0.0.1:8000/phan-anh/danh-gia/abc"},
        email_subject="Hồ sơ {{ code }} đã có kết quả",
        email_body=("Kính gửi {{ applicant }},\n\nHồ sơ {{ code }} (\"{{ procedure }}\") đã có kết quả. "
                    "Ông/bà nhận kết quả trực tuyến tại {{ link }} hoặc tại bộ phận một cửa của {{ agency }}."
                    "{% if rating_link %}\n\nMời ông/bà đánh giá mức độ hài lòng: {{ rating_link }}{% endif %}"
                    + _SIGNATURE),
        # The rating link rides in the one SMS that brings the news (the sender gives it only when
        # that text fits one message; a second SMS could reach the phone before the news).
        sms=("{% if rating_link %}Ho so {{ code }} da co ket qua. Nhan tai mot cua/truc tuyen. Danh gia: "
             "{{ rating_link }}{% else %}Ho so {{ code }} da co ket qua. Vui long nhan ket qua truc tuyen hoac "
             "tai bo phan mot cua.{% endif %}"),
        app="Hồ sơ {{ code }} đã có kết quả.",
    ),
    Event(
        "dossier.overdue", "Hồ sơ trễ hạn (thư xin lỗi)", CITIZEN,
        variables={**_DOSSIER_VARIABLES, "due_date": "Ngày hẹn cũ (dd/mm/yyyy)",
                   "new_due_date": "Ngày hẹn mới (dd/mm/yyyy)", "reason": "Lý do trễ hạn",
                   "apology_link": "Thư xin lỗi (địa chỉ đầy đủ)"},
        sample={**_DOSSIER_SAMPLE, "due_date": "12/12/2026", "new_due_date": "19/12/2026",
                "reason": "Cần xác minh thêm hiện trạng công trình.",
                "apology_link": "http://127.0.0.1:8000/ho-so/1/thu-xin-loi/1"},
        email_subject="Thư xin lỗi: hồ sơ {{ code }} trễ hạn",
        email_body=("Kính gửi {{ applicant }},\n\n{{ agency }} xin lỗi ông/bà: hồ sơ {{ code }} "
                    "(\"{{ procedure }}\") không trả kết quả được vào ngày hẹn {{ due_date }}."
                    "{% if reason %} Lý do: {{ reason }}{% endif %}\n\nNgày hẹn mới: {{ new_due_date }}.\n\n"
                    "Thư xin lỗi: {{ apology_link }}" + _SIGNATURE),
        sms="Ho so {{ code }} tre han, xin loi ong/ba. Ngay hen moi {{ new_due_date }}.",
        app="Hồ sơ {{ code }} trễ hạn. Thư xin lỗi, hẹn mới {{ new_due_date }}.",
    ),
    Event(
        "payment.confirmed", "Đã nhận tiền phí, lệ phí", CITIZEN,
        variables={"code": "Mã hồ sơ", "procedure": "Tên thủ tục", "applicant": "Tên người nộp",
                   "amount": "Số tiền (đã định dạng, ví dụ 150.000)", "receipt_number": "Số biên lai",
                   "paid_at": "Thời điểm thanh toán (dd/mm/yyyy HH:MM)", "receipt_link": "Biên lai điện tử (địa chỉ đầy đủ)"},
        sample={"code": CODE, "procedure": _DOSSIER_SAMPLE["procedure"], "applicant": "Nguyễn Văn An",
                "amount": "150.000", "receipt_number": "12/2026/BL-H57", "paid_at": "29/11/2026 09:20",
                "receipt_link": "http://127.0.0.1:8000/thanh-toan/1/bien-lai"},
        email_subject="Biên lai: đã nhận {{ amount }} đồng cho hồ sơ {{ code }}",
        email_body=("Kính gửi {{ applicant }},\n\nĐã nhận {{ amount }} đồng phí, lệ phí hồ sơ {{ code }} "
                    "(\"{{ procedure }}\") lúc {{ paid_at }}. Biên lai số {{ receipt_number }}."
                    "{% if receipt_link %}\n\nTải biên lai điện tử: {{ receipt_link }}{% endif %}" + _SIGNATURE),
        sms="Da nhan {{ amount }} dong phi ho so {{ code }}. Bien lai so {{ receipt_number }}.",
        app="Đã nhận {{ amount }} đồng cho hồ sơ {{ code }}, biên lai số {{ receipt_number }}.",
    ),
    Event(
        "work.assigned", "Được giao việc", OFFICIAL,
        variables={**_WORK_VARIABLES, "assigned_by": "Người giao"},
        sample={**_WORK_SAMPLE, "assigned_by": "Trần Thị Bình"},
        email_subject="Việc mới: {{ title }}",
        email_body=("{{ assigned_by }} giao cho anh/chị: {{ title }} ({{ code }}), hạn xử lý {{ due_date }}.\n\n"
                    "Mở: {{ link }}" + _SIGNATURE),
        app="Việc mới: {{ title }}, hạn {{ due_date }}.",
    ),
    Event(
        "work.due_tomorrow", "Việc đến hạn ngày mai", OFFICIAL,
        variables=_WORK_VARIABLES, sample=_WORK_SAMPLE,
        email_subject="Ngày mai đến hạn: {{ title }}",
        email_body="Việc \"{{ title }}\" ({{ code }}) đến hạn xử lý ngày mai, {{ due_date }}.\n\nMở: {{ link }}"
                   + _SIGNATURE,
        app="Ngày mai đến hạn: {{ title }}.",
    ),
    Event(
        "work.overdue", "Việc quá hạn", OFFICIAL,
        variables={**_WORK_VARIABLES, "days_late": "Số ngày quá hạn"},
        sample={**_WORK_SAMPLE, "days_late": 2},
        email_subject="Quá hạn: {{ title }}",
        email_body=("Việc \"{{ title }}\" ({{ code }}) đã quá hạn xử lý {{ days_late }} ngày (hạn {{ due_date }})."
                    "\n\nMở: {{ link }}" + _SIGNATURE),
        app="Quá hạn {{ days_late }} ngày: {{ title }}.",
    ),
    Event(
        "feedback.answered", "Phản ánh, kiến nghị đã được trả lời", CITIZEN,
        variables={"code": "Mã phản ánh", "title": "Tiêu đề phản ánh", "agency": "Cơ quan trả lời"},
        sample={"code": "PA-2026-000123", "title": "Đèn đường hỏng trên đường Lê Lợi", "agency": "UBND phường Phú Hội"},
        email_subject="Phản ánh {{ code }} đã có trả lời",
        email_body=("Phản ánh {{ code }} đã có trả lời. Ông/bà xem trả lời và đánh giá mức độ hài lòng "
                    "trên Cổng dịch vụ công: {{ link }}" + _SIGNATURE),
        sms="Phan anh {{ code }} da co tra loi. Xem tra loi va danh gia muc do hai long tren Cong dich vu cong.",
        app="Phản ánh {{ code }} đã được trả lời.",
    ),
)


@lru_cache(maxsize=1)
def _all() -> dict[str, Event]:
    events = {event.code: event for event in DEFAULTS}
    for code, event in all_notices().items():
        if code in events:
            raise ImproperlyConfigured(f"Notice {code!r} is already one of notify's events.")
        events[code] = event
    return events


class _Events(Mapping):
    """The registry, read lazily: apps are loaded by the time anyone notifies."""

    def __getitem__(self, code: str) -> Event:
        return _all()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(_all())

    def __len__(self) -> int:
        return len(_all())


EVENTS: Mapping[str, Event] = _Events()
