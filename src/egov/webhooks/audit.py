"""Wording of the webhooks' audit actions (see `core.audit_labels`)."""

LABELS = {
    "webhook.subscribed": "Đăng ký webhook",
    "webhook.updated": "Sửa đăng ký webhook",
    "webhook.secret_rotated": "Đổi khóa bí mật webhook",
    "webhook.test_sent": "Gửi sự kiện thử webhook",
    "webhook.replayed": "Gửi lại sự kiện webhook",
}
