"""Personal data out of public text (che thông tin cá nhân): what the public answer page shows.

`redact(text, feedback)` replaces with "***" the sender's name, phone, email and address wherever
they occur (with or without diacritics, any case), and any phone number, email address or
12-digit ID number (CCCD) in the text, the sender's or anyone else's.
"""

from __future__ import annotations

import re
import unicodedata

MASK = "***"

# Vietnamese mobile and landline numbers: 0 or +84 then 9–10 digits, spaces, dots or dashes allowed.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|0)(?:[\s.-]?\d){9,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _plain(text: str) -> str:
    """Lower case without diacritics, one character for one (so positions match the original)."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0] if char not in "đĐ" else "d"
        out.append(base.lower() if len(base.lower()) == 1 else char)
    return "".join(out)


def _mask_phrase(text: str, phrase: str) -> str:
    """Mask every occurrence of `phrase` in `text`, matched without case or diacritics, on word
    boundaries, with any run of spaces between its words."""
    words = _plain(phrase).split()
    if not words or len("".join(words)) < 3:  # too short to tell from ordinary words
        return text
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")
    plain = _plain(text)
    pieces, last = [], 0
    for match in pattern.finditer(plain):
        pieces.append(text[last:match.start()])
        pieces.append(MASK)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _phone_digits_pattern(phone: str) -> re.Pattern | None:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("84") and len(digits) > 10:
        digits = "0" + digits[2:]
    if len(digits) < 6:
        return None
    local = digits[1:] if digits.startswith("0") else digits
    spaced = r"[\s.-]?".join(re.escape(d) for d in local)
    return re.compile(r"(?<!\d)(?:\+84[\s.-]?|0)?" + spaced + r"(?!\d)")


def redact(text: str, feedback) -> str:
    """`text` with the sender's personal data and any phone, email or ID number replaced by ***."""
    if not text:
        return text or ""
    sender = getattr(feedback, "sender", None) if getattr(feedback, "sender_id", None) else None
    phrases = [feedback.sender_name, feedback.address, feedback.sender_email]
    phones = [feedback.sender_phone]
    if sender is not None:
        phrases += [sender.full_name, sender.address, sender.email]
        phones.append(sender.phone or "")
    # Emails and numbers first, so a name inside an email address does not split it.
    text = _EMAIL.sub(MASK, text)
    for phone in phones:
        pattern = _phone_digits_pattern(phone)
        if pattern is not None:
            text = pattern.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    text = _ID_NUMBER.sub(MASK, text)
    # Longest first: the address may contain a shorter phrase.
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        text = _mask_phrase(text, phrase)
    return text
