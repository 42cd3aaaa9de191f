"""System checks of account settings (`egov manage check --deploy` and every start)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning


def mail_configured(app_configs, **kwargs):
    """Production without SMTP starts (one feature down, no hole) but says so at every start."""
    if getattr(settings, "PRODUCTION", False) and not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return [Warning("EGOV_SMTP_HOST is not set: password reset and sign-up activation mail is "
                        f"written to files under {getattr(settings, 'EMAIL_FILE_PATH', 'EGOV_DATA_DIR/mail')}, "
                        "not sent.", id="egov.W001")]
    return []
