"""What the sender (and, for overdue feedback, the holding agency's leaders) is told, and how.

SMS texts are written without diacritics and fit one 160-character message (many phones and
gateways split or garble accented text); emails carry the same news in Vietnamese. Services call
`tell_sender` / `send_code` / `tell_leaders` inside their transaction: the message is queued
and leaves only once the change is committed (core.tasks.queue).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from egov.core.tasks import queue

SMS_LIMIT = 160

# {code} the feedback's code, {due} a date dd/mm/yyyy, {original} the code it duplicates.
SMS = {
    "received": "Phan anh {code} da duoc tiep nhan. Tra cuu tien do bang ma {code} tren Cong dich vu cong.",
    "assigned": "Phan anh {code} da duoc chuyen co quan co tham quyen xu ly, han tra loi {due}.",
    "closed": "Phan anh {code} da dong, khong xu ly. Xem ly do tren Cong dich vu cong.",
    "not_competent": "Phan anh {code} khong thuoc tham quyen giai quyet. Xem huong dan tren Cong dich vu cong.",
    "duplicate": "Phan anh {code} trung voi phan anh {original} dang duoc xu ly. Theo doi bang ma {original}.",
    "reopened": "Phan anh {code} da duoc mo lai theo y kien cua ban, han tra loi moi {due}.",
}
EMAIL = {
    "received": ("Phản ánh {code} đã được tiếp nhận",
                 "Phản ánh, kiến nghị của ông/bà đã được tiếp nhận với mã {code}.\n"
                 "Ông/bà tra cứu tiến độ bằng mã này trên Cổng dịch vụ công."),
    "assigned": ("Phản ánh {code} đã được chuyển xử lý",
                 "Phản ánh {code} đã được chuyển cơ quan có thẩm quyền xử lý, hạn trả lời {due}."),
    "closed": ("Phản ánh {code} đã đóng", "Phản ánh {code} đã đóng, không xử lý. Lý do xem trên Cổng dịch vụ công."),
    "not_competent": ("Phản ánh {code} không thuộc thẩm quyền",
                      "Phản ánh {code} không thuộc thẩm quyền giải quyết của cơ quan hành chính. "
                      "Hướng dẫn xem trên Cổng dịch vụ công."),
    "duplicate": ("Phản ánh {code} trùng với phản ánh {original}",
                  "Phản ánh {code} trùng với phản ánh {original} đang được xử lý. "
                  "Ông/bà theo dõi tiến độ bằng mã {original}."),
    "reopened": ("Phản ánh {code} đã được mở lại",
                 "Phản ánh {code} đã được mở lại theo ý kiến của ông/bà, hạn trả lời mới {due}."),
}
CODE_SMS = "Ma xac nhan phan anh {code}: {otp}. Ma co hieu luc {minutes} phut. Khong dua ma nay cho nguoi khac."
CODE_EMAIL = ("Mã xác nhận phản ánh {code}",
              "Mã xác nhận phản ánh {code} của ông/bà là: {otp}\nMã có hiệu lực {minutes} phút. "
              "Không đưa mã này cho người khác.\nNếu ông/bà không gửi phản ánh, vui lòng bỏ qua thư này.")
LEADERS_SMS = "Phan anh {code} da qua han xu ly (han {due}). De nghi chi dao xu ly ngay."
LEADERS_EMAIL = ("Phản ánh {code} quá hạn xử lý",
                 "Phản ánh {code} ({subject}) đã quá hạn xử lý (hạn {due}), đang ở trạng thái “{status}”.\n"
                 "Đề nghị lãnh đạo chỉ đạo xử lý ngay; phản ánh có trong mục “Quá hạn” của danh sách phản ánh.")


def code_hash(feedback_id: int, otp: str) -> str:
    """The only form a one-time code is kept in: keyed with SECRET_KEY, bound to its feedback."""
    return hmac.new(settings.SECRET_KEY.encode(), f"feedback:{feedback_id}:{otp}".encode(),
                    hashlib.sha256).hexdigest()


def tell_sender(feedback, what: str) -> None:
    """Queue the news `what` (a key of SMS) for the sender: by SMS to their phone, else by email."""
    from egov.feedback.tasks import notify_sender

    if what not in SMS:
        raise KeyError(what)
    if feedback.sender_phone or feedback.sender_email:
        queue(notify_sender, feedback_id=feedback.pk, what=what)


def send_code(confirmation) -> None:
    """Queue the one-time code of `confirmation`. The worker makes the code and keeps only its hash
    (the code is never written to the task queue; it is in the SMS log, as every SMS is)."""
    from egov.feedback.tasks import send_confirmation

    queue(send_confirmation, confirmation_id=confirmation.pk)


def tell_leaders(feedback) -> None:
    """Queue the overdue notice for the leaders of the agency holding `feedback`."""
    from egov.feedback.tasks import notify_leaders

    queue(notify_leaders, feedback_id=feedback.pk)
