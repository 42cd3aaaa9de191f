"""The channels a notification travels on (kênh thông báo): wording and sending.

Templates are Django templates from strings, rendered with autoescape off: every channel carries
plain text (an email's text body, an SMS, the in-app line, which the page escapes when it shows
it). The context holds plain values only (`plain_context`), so an administrator's template can
reach nothing beyond what the sender chose to give.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.template import Context, Engine

from egov.notify.models import Channel, Notification

SMS_LENGTH = 160
_ENGINE = Engine(autoescape=False, libraries={}, loaders=[])
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r"\s*\n\s*")
# Punctuation an SMS gateway would otherwise send as UCS-2 (70 characters) or drop.
_ASCII_PUNCTUATION = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
                                    "\u00a0": " ", "«": '"', "»": '"', "•": "-"})


class DeliveryError(Exception):
    """The channel could not take the message; the notification is tried again later."""


class TemplateError(ValueError):
    """A template that does not render; the message says why, in Vietnamese."""


def plain_context(context: dict) -> dict:
    """Strings, numbers and dates as they are, anything else as its text: a model object would
    let a template walk to its relations."""
    plain = {}
    for name, value in (context or {}).items():
        if value is None or isinstance(value, (str, int, float, Decimal, dt.date, dt.datetime, bool)):
            plain[name] = value
        else:
            plain[name] = str(value)
    return plain


# Django's template errors, said in Vietnamese for the administrator who wrote the template.
_ERRORS = (
    (re.compile(r"Invalid block tag on line (\d+): '([^']*)'"), "Dòng {0}: không có thẻ {{% {1} %}}."),
    (re.compile(r"Unclosed tag on line (\d+): '([^']*)'"), "Dòng {0}: thẻ {{% {1} %}} chưa được đóng."),
    (re.compile(r"Invalid filter: '([^']*)'"), "Không có bộ lọc \"{0}\"."),
    (re.compile(r"Could not parse the remainder: '([^']*)' from '([^']*)'"),
     "Không đọc được \"{1}\" (phần \"{0}\" không hợp lệ)."),
    (re.compile(r"Could not parse some characters: (.*)"), "Không đọc được biểu thức: {0}."),
    (re.compile(r"Empty variable tag on line (\d+)"), "Dòng {0}: cặp {{{{ }}}} không có tên biến."),
    (re.compile(r"'(\w+)' did not receive value\(s\) for the argument\(s\): (.*)"),
     "Bộ lọc \"{0}\" thiếu tham số."),
    (re.compile(r"(\w+) requires (\d+) arguments?, (\d+) provided"), "Bộ lọc \"{0}\" cần {1} tham số."),
    (re.compile(r"Unused '([^']*)' at end of if expression"), "Biểu thức if thừa \"{0}\" ở cuối."),
    (re.compile(r"Not expecting '([^']*)' in this position in if tag"), "Biểu thức if đặt sai \"{0}\"."),
)


def vietnamese_error(exc: Exception) -> str:
    message = str(exc)
    for pattern, wording in _ERRORS:
        found = pattern.search(message)
        if found:
            return wording.format(*found.groups())
    return f"Lỗi trong mẫu ({message[:200]})."


def compile_template(text: str):
    try:
        return _ENGINE.from_string(text)
    except Exception as exc:  # a syntax error, a bad filter argument: the template's fault
        raise TemplateError(f"Mẫu không hợp lệ. {vietnamese_error(exc)}") from exc


def variables_used(text: str) -> set[str]:
    """The names `text`'s {{ }} read first (what a typo like {{ ma_ho_so }} would leave empty)."""
    from django.template.base import VariableNode

    names = set()
    for node in compile_template(text).nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        lookups = getattr(var, "lookups", None)
        if lookups:
            names.add(lookups[0])
    return names


def render(text: str, context: dict) -> str:
    """`text` rendered with `context` (plain values); TemplateError when it cannot be."""
    if not text:
        return ""
    template = compile_template(text)
    try:
        return template.render(Context(plain_context(context), autoescape=False))
    except Exception as exc:
        raise TemplateError(f"Không hiển thị được mẫu với dữ liệu của sự kiện. {vietnamese_error(exc)}") from exc


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Hồ sơ" -> "Ho so"), other non-ASCII dropped,
    spaces collapsed: what one GSM SMS carries."""
    text = (text or "").translate(_ASCII_PUNCTUATION).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", _NEWLINES.sub(" ", stripped)).strip()


def sms_text(text: str) -> str:
    """One SMS: ASCII, at most 160 characters, cut at a word when too long."""
    text = ascii_text(text)
    if len(text) <= SMS_LENGTH:
        return text
    cut = text[:SMS_LENGTH - 3]
    if " " in cut[SMS_LENGTH // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "..."


def one_line(text: str, limit: int = 255) -> str:
    text = _SPACES.sub(" ", _NEWLINES.sub(" ", text or "")).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def send(notification: Notification) -> None:
    """Hand `notification` to its channel; DeliveryError when the channel refuses it."""
    if notification.channel == Channel.SMS:
        from egov.notify.models import SmsMessage
        from egov.notify.services import send_sms

        message = send_sms(notification.address, notification.body, agency_id=notification.agency_id,
                           dossier_id=notification.dossier_id)
        if message.status != SmsMessage.Status.SENT:
            raise DeliveryError(message.error or "Nhà cung cấp SMS không nhận tin nhắn.")
    elif notification.channel == Channel.EMAIL:
        try:
            send_mail(f"[{settings.SITE_NAME}] {notification.subject}", notification.body,
                      settings.DEFAULT_FROM_EMAIL, [notification.address])
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"Máy chủ thư không nhận thư: {exc}") from exc
    # In-app notifications are delivered by being stored.
