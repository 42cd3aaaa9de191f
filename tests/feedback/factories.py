"""Feedback in any state, made through the services (as a citizen and officials would)."""

from __future__ import annotations

import itertools

from egov.feedback import services
from egov.feedback.models import Feedback, FeedbackField
from egov.feedback.notices import code_hash
from egov.notify.models import SmsMessage
from egov.org.models import Official
from egov.org.roles import Role
from tests.factories import make_official

S = Feedback.Status
_seq = itertools.count(1)
# The path of each state from the start: make_feedback walks it.
STEPS = {S.PENDING: 0, S.NEW: 1, S.ASSIGNED: 2, S.REVIEW: 3, S.ANSWERED: 4}


def make_field(*, code: str | None = None, name: str | None = None, days: int = 10) -> FeedbackField:
    n = next(_seq)
    return FeedbackField.objects.create(code=code or f"linh-vuc-{n}", name=name or f"Lĩnh vực {n}",
                                        handling_days=days)


ROLES = {"clerk": (Role.CLERK, "Trần Văn Phân"), "specialist": (Role.SPECIALIST, "Lê Thị Xử"),
         "leader": (Role.LEADER, "Võ Minh Duyệt")}


def officials_of(agency) -> dict:
    """An official in each feedback role at `agency`: the first one holding it, made if none."""
    found = {}
    for key, (role, full_name) in ROLES.items():
        official = (Official.objects.filter(agency=agency, role_assignments__role=role)
                    .select_related("user").order_by("pk").first())
        found[key] = official.user if official else make_official(role, agency=agency, full_name=full_name)
    return found


def last_sms(phone: str) -> str:
    message = SmsMessage.objects.filter(phone=phone, direction="out").order_by("-id").first()
    return message.text if message else ""


def code_in(text: str) -> str:
    import re

    match = re.search(r": (\d{6})\.", text)
    return match.group(1) if match else ""


def make_feedback(status: str = S.NEW, *, agency=None, field=None, user=None, office=None,
                  subject: str = "Đèn đường hỏng trước nhà số 5 Lê Lợi",
                  content: str = "Đèn đường hỏng đã hai tuần, buổi tối rất tối và nguy hiểm.",
                  name: str = "Nguyễn Văn Gửi", phone: str | None = None, email: str = "",
                  address: str = "5 Lê Lợi, phường Thuận Hóa", publish_consent: bool = True,
                  days=None, answer: str = "Đơn vị đã thay bóng đèn ngày 20/11. Cảm ơn ông/bà.",
                  closed_reason: str = "Nội dung không rõ ràng", **extra) -> Feedback:
    """A feedback in `status`, walked there through the services: sent (by `user` signed in, else
    anonymously with `phone`/`email`), confirmed, routed to `agency` in `field`, drafted, answered;
    or closed / not competent from NEW. Needs the receiving office to exist (the `office` fixture)."""
    from egov.feedback.selectors import receiving_office

    office = office or receiving_office()
    if phone is None and not email and user is None:
        phone = f"09{next(_seq):08d}"
    feedback, _ = services.submit(subject=subject, content=content, name=name, phone=phone or "", email=email,
                                  address=address, publish_consent=publish_consent, user=user, **extra)
    if status == S.PENDING:
        return feedback
    if feedback.status == S.PENDING:
        # A known code, as the SMS would have carried it (the worker makes it after the commit).
        feedback.confirmations.update(code_hash=code_hash(feedback.pk, "123456"))
        feedback = services.confirm(feedback.code, "123456")
    if status in (S.CLOSED, S.NOT_COMPETENT):
        return services.close(officials_of(office)["clerk"], feedback, reason=closed_reason,
                              not_competent=status == S.NOT_COMPETENT)
    if status == S.NEW:
        return feedback
    agency = agency or office
    field = field or FeedbackField.objects.order_by("pk").first() or make_field()
    services.route(officials_of(office)["clerk"], feedback, field=field, agency=agency, days=days)
    if status == S.ASSIGNED:
        return feedback
    people = officials_of(agency)
    services.draft_answer(people["specialist"], feedback, text=answer)
    if status == S.REVIEW:
        return feedback
    services.approve_answer(people["leader"], feedback)
    return feedback
