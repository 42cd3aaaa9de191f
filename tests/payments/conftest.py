import pytest


@pytest.fixture(autouse=True)
def _sandbox_gateway(settings):
    """Demo mode, no VNPay terminal configured: payments go through the built-in sandbox."""
    settings.DEMO_MODE = True
    settings.VNPAY_TMN_CODE = settings.VNPAY_HASH_SECRET = settings.VNPAY_URL = ""
    settings.PAYMENT_EXPIRE_MINUTES = 15
