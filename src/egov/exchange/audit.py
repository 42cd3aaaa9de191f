"""Wording of the exchange's audit actions (see `core.audit_labels`)."""

LABELS = {
    "exchange.received": "Nhận gói tin liên thông",
    "exchange.quarantined": "Cách ly gói tin liên thông bị từ chối",
    "exchange.status_received": "Nhận trạng thái xử lý văn bản liên thông",
    "exchange.request_received": "Nhận yêu cầu thu hồi, cập nhật, thay thế văn bản",
    "exchange.request_answered": "Trả lời yêu cầu thu hồi, cập nhật, thay thế văn bản",
}
