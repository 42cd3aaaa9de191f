"""Demo feedback: the fields of feedback with their handling days (data/fields.json), and about
fifteen feedback items of Huế in every state (waiting for the code, to classify, being handled,
overdue and escalated, waiting for the leader, answered and published, rated, reopened, closed,
not competent, duplicate), all made through the services, then dated back a few days.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db.models import F
from django.utils import timezone

from egov.core.errors import NotFound
from egov.feedback import services
from egov.feedback.codes import format_code, next_feedback_code
from egov.feedback.models import DailyCounter, Feedback, FeedbackAnswer, FeedbackEvent, FeedbackField, FeedbackRating
from egov.feedback.notices import code_hash
from egov.feedback.selectors import receiving_office
from egov.org.models import AdministrativeUnit, Agency, Official, User
from egov.org.roles import Role

NAME = "feedback"
FIELDS = Path(__file__).parent / "data" / "fields.json"
S = Feedback.Status
# The org demo's agencies: Sở Tư pháp, Sở Xây dựng, Sở Nông nghiệp và Môi trường, three wards.
STP, SXD, SNNMT = "000.00.12.H57", "000.00.13.H57", "000.00.17.H57"
THUAN_HOA, PHU_XUAN, PHU_VANG = "000.00.31.H57", "000.00.32.H57", "000.00.33.H57"
UNITS = {THUAN_HOA: "19786", PHU_XUAN: "19768", PHU_VANG: "19942"}
DEMO_OTP = "246810"

# (key, final state, field, agency, days ago, sender (name, phone) or None for the demo citizen,
#  subject, content, address, publish consent, answer)
ITEMS = [
    ("pending", S.PENDING, "moi-truong", None, 0, ("Đoàn Văn Tâm", "0914222333"),
     "Cây xanh gãy cành trên đường Lê Lợi",
     "Sau cơn mưa tối qua, một cành cây lớn gãy treo lơ lửng trước số 40 Lê Lợi, rất nguy hiểm cho người đi đường.",
     "40 Lê Lợi, phường Thuận Hóa", True, ""),
    ("new-citizen", S.NEW, "dien-nuoc-chieu-sang", None, 0, None,
     "Đèn chiếu sáng kiệt 12 Trần Hưng Đạo không sáng",
     "Cả dãy đèn trong kiệt 12 Trần Hưng Đạo tắt từ một tuần nay, buổi tối rất tối.",
     "Kiệt 12 Trần Hưng Đạo, phường Phú Xuân", True, ""),
    ("new", S.NEW, "giao-thong", None, 1, ("Lý Thị Ngọc", "0935111222"),
     "Ổ gà lớn trên đường Hùng Vương",
     "Đoạn trước số 120 Hùng Vương có ổ gà sâu, nhiều xe máy bị ngã khi trời mưa.",
     "120 Hùng Vương, phường Thuận Hóa", True, ""),
    ("sidewalk", S.ASSIGNED, "trat-tu-do-thi", THUAN_HOA, 3, ("Hồ Văn Lộc", "0905333444"),
     "Lấn chiếm vỉa hè đường Bến Nghé",
     "Nhiều quán bày bàn ghế kín vỉa hè đường Bến Nghé, người đi bộ phải xuống lòng đường.",
     "Đường Bến Nghé, phường Thuận Hóa", True, ""),
    ("building", S.ASSIGNED, "xay-dung", SXD, 4, ("Phan Thị Mai", "0979444555"),
     "Công trình xây dựng không che chắn gây bụi",
     "Công trình tại 25 Nguyễn Huệ không có lưới che, bụi và vật liệu rơi ra đường.",
     "25 Nguyễn Huệ, phường Thuận Hóa", True, ""),
    ("overdue", S.ASSIGNED, "moi-truong", PHU_XUAN, 20, ("Nguyễn Hữu Phước", "0988555666"),
     "Rác thải tồn đọng tại chợ Tây Lộc",
     "Rác ở khu vực cổng sau chợ Tây Lộc không được thu gom nhiều ngày, bốc mùi hôi.",
     "Cổng sau chợ Tây Lộc, phường Phú Xuân", True, ""),
    ("review", S.REVIEW, "giao-duc", PHU_VANG, 5, ("Trần Thị Hạnh", "0913666777"),
     "Đề nghị bố trí người hướng dẫn giao thông trước trường tiểu học",
     "Giờ tan học trước trường tiểu học trên đường Phạm Văn Đồng thường ùn tắc, đề nghị bố trí người hướng dẫn.",
     "Đường Phạm Văn Đồng, phường Phú Vang", True,
     "UBND phường đã phối hợp Công an phường bố trí lực lượng hướng dẫn giao thông giờ tan học từ tuần sau."),
    ("answered-env", S.ANSWERED, "moi-truong", SNNMT, 9, ("Võ Thị Lan", "0916777888"),
     "Nước thải chảy ra sông An Cựu",
     "Có đường ống xả nước thải màu đen ra sông An Cựu gần cầu Kho Rèn, mùi rất hôi.",
     "Gần cầu Kho Rèn, phường Thuận Hóa", True,
     "Sở đã kiểm tra ngày 18/11: đường ống thuộc một cơ sở rửa xe, đã lập biên bản, yêu cầu dừng xả thải và "
     "đấu nối vào hệ thống thoát nước chung. Bà Võ Thị Lan (0916777888) có thể liên hệ Phòng Môi trường nếu "
     "còn thấy xả thải."),
    ("answered-road", S.ANSWERED, "giao-thong", THUAN_HOA, 12, ("Đặng Quốc Huy", "0932888999"),
     "Biển báo giao thông bị che khuất",
     "Biển báo cấm rẽ trái ở ngã tư Lê Lợi - Hà Nội bị cây che khuất hoàn toàn.",
     "Ngã tư Lê Lợi - Hà Nội", True,
     "UBND phường đã phối hợp Công ty Cây xanh cắt tỉa cây, biển báo đã nhìn thấy rõ từ ngày 15/11. "
     "Cảm ơn ông đã phản ánh."),
    ("answered-service", S.ANSWERED, "dich-vu-cong", STP, 6, None,
     "Thời gian cấp phiếu lý lịch tư pháp",
     "Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp trực tuyến, muốn biết thời gian giải quyết và cách nhận kết quả.",
     "", True,
     "Theo quy định, thời hạn cấp phiếu lý lịch tư pháp là 10 ngày làm việc. Bà có thể nhận kết quả trực tuyến "
     "hoặc qua bưu điện; tiến độ tra cứu bằng mã hồ sơ trên Cổng dịch vụ công."),
    ("answered-health", S.ANSWERED, "y-te", PHU_XUAN, 7, ("Lê Văn Bình", "0945999000"),
     "Trạm y tế phường đóng cửa sớm",
     "Trạm y tế phường thường đóng cửa trước 16 giờ, người dân đi làm về không kịp tiêm chủng cho trẻ.",
     "Trạm y tế phường Phú Xuân", True,
     "Từ ngày 01/12, Trạm y tế phường mở cửa đến 17 giờ các ngày trong tuần và sáng thứ Bảy tiêm chủng."),
    ("answered-private", S.ANSWERED, "dat-dai", PHU_VANG, 8, ("Bùi Thị Thu", "0918000111"),
     "Tranh chấp ranh giới đất với hộ liền kề",
     "Hộ liền kề xây tường rào lấn sang đất nhà tôi khoảng nửa mét, đề nghị phường giải quyết.",
     "Tổ 5, phường Phú Vang", False,
     "UBND phường đã mời hai hộ hòa giải ngày 20/11; hai bên thống nhất đo đạc lại ranh giới theo bản đồ địa chính."),
    ("reopened", S.ASSIGNED, "dien-nuoc-chieu-sang", THUAN_HOA, 6, ("Ngô Văn Sơn", "0903123123"),
     "Mất nước sinh hoạt kéo dài",
     "Khu tập thể Đống Đa mất nước ba ngày liền, chưa có thông báo.",
     "Khu tập thể Đống Đa, phường Thuận Hóa", True,
     "Công ty Cấp nước đã sửa đường ống bị vỡ, cấp nước lại từ ngày 21/11."),
    ("closed", S.CLOSED, "khac", None, 10, ("Hà Minh Khoa", "0977345345"),
     "Góp ý chung",
     "Đề nghị làm tốt hơn.",
     "", False, ""),
    ("not-competent", S.NOT_COMPETENT, "dat-dai", None, 11, ("Mai Thị Duyên", "0934567567"),
     "Tranh chấp thừa kế nhà ở",
     "Anh em trong gia đình tranh chấp thừa kế căn nhà của bố mẹ, đề nghị chính quyền chia giúp.",
     "", False, ""),
    ("duplicate", S.CLOSED, "trat-tu-do-thi", None, 2, ("Châu Văn Tài", "0962678678"),
     "Quán lấn chiếm vỉa hè Bến Nghé",
     "Vỉa hè đường Bến Nghé bị bàn ghế quán ăn chiếm hết, không có lối đi.",
     "Đường Bến Nghé, phường Thuận Hóa", True, ""),
]
CLOSE_REASONS = {
    "closed": "Nội dung chưa nêu vụ việc cụ thể để xem xét; đề nghị người gửi bổ sung khi gửi lại.",
    "not-competent": "Tranh chấp thừa kế thuộc thẩm quyền giải quyết của Tòa án nhân dân; "
                     "người gửi có thể hòa giải tại UBND phường hoặc khởi kiện tại Tòa án.",
}
RATINGS = {"answered-road": (5, True, "Xử lý nhanh, cảm ơn phường."), "answered-service": (4, True, ""),
           "reopened": (2, False, "Nước có lại một ngày rồi lại mất.")}


def load_fields() -> int:
    made = 0
    for order, row in enumerate(json.loads(FIELDS.read_text(encoding="utf-8")), start=1):
        _, created = FeedbackField.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "handling_days": row["handling_days"], "order": order * 10})
        made += created
    return made


def _people(agency: Agency) -> dict:
    found = {}
    for key, role in (("clerk", Role.CLERK), ("specialist", Role.SPECIALIST), ("leader", Role.LEADER)):
        official = (Official.objects.filter(agency=agency, role_assignments__role=role)
                    .select_related("user").order_by("pk").first())
        found[key] = official.user if official else None
    return found


def _confirmed(feedback: Feedback) -> Feedback:
    """Confirm as the sender would with the code from the SMS (the demo knows the code it sets)."""
    feedback.confirmations.update(code_hash=code_hash(feedback.pk, DEMO_OTP))
    return services.confirm(feedback.code, DEMO_OTP)


def _date_back(feedback: Feedback, days: int) -> None:
    """Move every date of a feedback `days` back, so the demo has a past (and overdue items), with
    a code of the day it is now dated (items of today come first in ITEMS: today's codes stay
    gapless once the counter is set back to them, see `load`)."""
    if days <= 0:
        return
    delta = dt.timedelta(days=days)
    day = timezone.localdate(feedback.created_at - delta)
    Feedback.objects.filter(pk=feedback.pk).update(code=next_feedback_code(day), **{
        name: F(name) - delta for name in ("created_at", "confirmed_at", "assigned_at", "due_at", "answered_at",
                                           "closed_at", "reopened_at")})
    FeedbackEvent.objects.filter(feedback=feedback).update(at=F("at") - delta)
    FeedbackAnswer.objects.filter(feedback=feedback).update(
        drafted_at=F("drafted_at") - delta, decided_at=F("decided_at") - delta, published_at=F("published_at") - delta)
    FeedbackRating.objects.filter(feedback=feedback).update(created_at=F("created_at") - delta)


def load(out) -> None:
    out(f"  {load_fields()} lĩnh vực phản ánh")
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[STP, SXD, SNNMT, THUAN_HOA, PHU_XUAN, PHU_VANG])}
    try:
        office = receiving_office()
    except NotFound:  # no agency at all: nobody to receive feedback
        office = None
    office_people = _people(office) if office else {}
    if len(agencies) < 6 or not office_people.get("clerk") or not all(
            all(_people(a).values()) for a in agencies.values()):
        out("  Bỏ qua phản ánh mẫu: chưa có cơ quan, cán bộ mẫu (cần nạp dữ liệu mẫu org trước).")
        return
    citizen = User.objects.filter(email="nguoidan@demo.egov.vn").first()
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=UNITS.values())}
    made, items = 0, {}
    for n, (key, state, field, agency_code, days_ago, sender, subject, content, address, consent,
            answer) in enumerate(ITEMS):
        agency = agencies.get(agency_code)
        unit = units.get(UNITS.get(agency_code or THUAN_HOA, ""))
        person = {"user": citizen} if sender is None and citizen else {
            "name": (sender or ("Nguyễn Thị Hoa", ""))[0], "phone": (sender or ("", "0912345678"))[1]}
        feedback, _ = services.submit(subject=subject, content=content, address=address, field=field,
                                      unit=unit, publish_consent=consent, map_x=0.2 + 0.04 * n,
                                      map_y=0.3 + 0.03 * (n % 7), client_ip=f"203.0.113.{10 + n}", **person)
        items[key] = feedback
        made += 1
        if state == S.PENDING:
            continue
        if feedback.status == S.PENDING:
            feedback = items[key] = _confirmed(feedback)
        if key == "duplicate":
            services.mark_duplicate(office_people["clerk"], feedback, items["sidewalk"])
        elif key in CLOSE_REASONS:
            services.close(office_people["clerk"], feedback, reason=CLOSE_REASONS[key],
                           not_competent=state == S.NOT_COMPETENT)
        elif agency is not None:
            services.route(office_people["clerk"], feedback, field=field, agency=agency,
                           note="Đúng thẩm quyền, đề nghị xử lý theo quy định.")
            people = _people(agency)
            if key == "building":
                services.assign_handler(people["leader"], feedback, people["specialist"])
            if answer:
                services.draft_answer(people["specialist"], feedback, text=answer)
                if state != S.REVIEW:
                    services.approve_answer(people["leader"], feedback)
            if key in RATINGS:
                stars, satisfied, comment = RATINGS[key]
                services.rate(feedback, stars=stars, satisfied=satisfied, comment=comment)
            if key == "reopened":
                services.reopen(feedback, reason="Nước có lại một ngày rồi lại mất, đề nghị kiểm tra lại.")
        _date_back(feedback, days_ago)
    today = timezone.localdate()
    DailyCounter.objects.filter(day=today).update(
        last=Feedback.objects.filter(code__startswith=format_code(today, 0)[:-4]).count())
    escalated = services.escalate_overdue()
    published = FeedbackAnswer.objects.filter(is_published=True).count()
    out(f"  {made} phản ánh mẫu ({published} trả lời công khai, {escalated} quá hạn đã báo lãnh đạo); "
        f"mã xác nhận của phản ánh chờ xác nhận có trong nhật ký tin nhắn SMS")
