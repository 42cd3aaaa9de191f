"""SMS providers (nhà cung cấp SMS): one interface, chosen by `settings.SMS_PROVIDER`.

The default `LogSmsProvider` only writes to the log; every message, whatever the provider, is
also kept in the `SmsMessage` table by `egov.notify.services.send_sms`, so staff can read it.
"""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("egov.sms")

DEFAULT_PROVIDER = "egov.notify.sms.LogSmsProvider"


class SmsError(Exception):
    """The provider could not take the message."""


class SmsProvider:
    """Send one text message; return the provider's reference for it, raise SmsError on failure."""

    name = "base"

    def send(self, phone: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class LogSmsProvider(SmsProvider):
    name = "log"

    def send(self, phone: str, text: str) -> str:
        ref = uuid.uuid4().hex[:16]
        logger.info("SMS to %s [%s]: %s", phone, ref, text)
        return ref


@lru_cache(maxsize=4)
def _provider_class(path: str):
    return import_string(path)


def get_provider() -> SmsProvider:
    return _provider_class(getattr(settings, "SMS_PROVIDER", DEFAULT_PROVIDER))()
