"""Wording of the exchange's audit actions (see `core.audit_labels`)."""

LABELS = {
    "exchange.received": "Nhận gói tin liên thông",
    "exchange.quarantined": "Cách ly gói tin liên thông bị từ chối",
    "exchange.status_received": "Nhận trạng thái xử lý văn bản liên thông",
    "exchange.request_received": "Nhận yêu cầu thu hồi, cập nhật, thay thế văn bản",
    "exchange.request_answered": "Trả lời yêu cầu thu hồi, cập nhật, thay thế văn bản",
    "exchange.peer_created": "Thêm đầu mối liên thông",
    "exchange.peer_updated": "Sửa đầu mối liên thông",
    "exchange.peer_agencies_set": "Cập nhật cơ quan qua đầu mối liên thông",
    "exchange.peer_deactivated": "Ngừng đầu mối liên thông",
    "exchange.sent": "Gửi gói tin liên thông",
    "exchange.failed": "Gửi gói tin liên thông không thành công",
    "exchange.resent": "Gửi lại gói tin liên thông",
    "exchange.recalled": "Thu hồi văn bản đã gửi liên thông",
}
