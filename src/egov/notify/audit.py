"""Wording of the notifications' audit actions (see `core.audit_labels`)."""

LABELS = {
    "notify.template_saved": "Sửa mẫu thông báo",
    "notify.template_reset": "Khôi phục mẫu thông báo mặc định",
    "notify.preferences_changed": "Đổi kênh nhận thông báo",
}
