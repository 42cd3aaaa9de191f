"""SMS: the provider interface, the default log provider, and the message table staff read."""

import logging

import pytest

from egov.notify import sms
from egov.notify.models import SmsMessage
from egov.notify.services import normalize_phone, receive_sms, send_sms

pytestmark = pytest.mark.django_db


class BrokenProvider(sms.SmsProvider):
    name = "broken"

    def send(self, phone, text):
        raise sms.SmsError("Nhà mạng từ chối")


def test_default_provider_logs_and_the_message_is_kept(caplog):
    with caplog.at_level(logging.INFO, logger="egov.sms"):
        message = send_sms("0905 123 456", "Ho so da co ket qua")
    assert "0905123456" in caplog.text and "Ho so da co ket qua" in caplog.text
    assert message.status == SmsMessage.Status.SENT and message.provider == "log" and message.provider_ref
    assert SmsMessage.objects.get().direction == "out"


def test_a_failing_provider_is_recorded_not_raised(settings):
    settings.SMS_PROVIDER = "tests.notify.test_sms.BrokenProvider"
    message = send_sms("0905123456", "x")
    assert message.status == SmsMessage.Status.FAILED and "từ chối" in message.error


def test_inbound_messages_are_kept_with_a_normalized_number():
    message = receive_sms("+84 905-123-456", "TRACUU ABC")
    assert message.phone == "+84905123456" and message.direction == "in" and message.status == "received"
    assert normalize_phone("(0234) 3822 511") == "02343822511"
