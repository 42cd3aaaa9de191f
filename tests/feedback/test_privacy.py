"""Public answers never carry the sender's personal data, nor anyone's phone, email or ID number."""

from types import SimpleNamespace

from egov.feedback.privacy import redact


def _feedback(**kwargs):
    values = {"sender_name": "Nguyễn Văn Gửi", "sender_phone": "0912345678", "sender_email": "gui@example.vn",
              "address": "5 Lê Lợi, phường Thuận Hóa", "sender_id": None}
    return SimpleNamespace(**{**values, **kwargs})


def test_the_senders_name_phone_email_and_address_are_masked():
    text = ("Trả lời ông Nguyễn Văn Gửi, số 0912 345 678, thư gui@example.vn, về phản ánh tại "
            "5 Lê Lợi, phường Thuận Hóa: đã khắc phục.")
    result = redact(text, _feedback())
    for private in ("Nguyễn Văn Gửi", "0912 345 678", "gui@example.vn", "5 Lê Lợi"):
        assert private not in result
    assert result.startswith("Trả lời ông *** , số ***".replace(" ,", ",")) and "đã khắc phục." in result


def test_the_name_without_diacritics_or_in_capitals_is_masked_too():
    result = redact("Ong NGUYEN VAN GUI va ong nguyễn văn gửi", _feedback())
    assert result == "Ong *** va ong ***"


def test_other_phone_numbers_emails_and_id_numbers_are_masked():
    result = redact("Liên hệ +84 905 111 222 hoặc to.dan@phuong.gov.vn, CCCD 046190001234.", _feedback())
    assert result == "Liên hệ *** hoặc ***, CCCD ***."


def test_ordinary_text_and_dates_stay():
    text = "Ngày 20/11/2026 đã thay 12 bóng đèn trên đường Lê Lợi, kinh phí 3.500.000 đồng."
    assert redact(text, _feedback(address="")) == text


def test_the_signed_in_senders_account_details_are_masked():
    sender = SimpleNamespace(full_name="Trần Thị Tài Khoản", address="9 Hùng Vương", email="tk@example.vn",
                             phone="0988777666")
    feedback = _feedback(sender_name="", sender_phone="", sender_email="", address="", sender_id=1, sender=sender)
    assert redact("Bà Trần Thị Tài Khoản, 9 Hùng Vương, 0988.777.666", feedback) == "Bà ***, ***, ***"
