"""Wording of the API keys' audit actions (see `core.audit_labels`)."""

LABELS = {
    "apikey.created": "Tạo khóa API",
    "apikey.updated": "Sửa phạm vi, giới hạn của khóa API",
    "apikey.revoked": "Thu hồi khóa API",
}
