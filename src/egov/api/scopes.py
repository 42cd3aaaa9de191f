"""API-key scopes (phạm vi): what an external system may do through the API."""

SCOPES = {
    "calendar:read": "Tra cứu lịch làm việc",
    "procedures:read": "Đọc danh mục thủ tục",
    "dossiers:read": "Đọc hồ sơ",
    "dossiers:write": "Nộp và xử lý hồ sơ",
    "documents:read": "Đọc văn bản",
    "documents:write": "Tiếp nhận, tạo văn bản",
    "signatures:verify": "Kiểm tra chữ ký số",
    "exchange:write": "Gửi, nhận văn bản liên thông",
    "sms:inbound": "Chuyển tin nhắn SMS đến (cổng SMS)",
    "feedback:read": "Đọc phản ánh, kiến nghị",
    "feedback:write": "Phân loại, xử lý, trả lời phản ánh, kiến nghị",
    "payments:read": "Xem các khoản thanh toán phí, lệ phí",
    "payments:write": "Tạo giao dịch thanh toán, thu phí, lệ phí",
    "people:read": "Tra cứu công dân, doanh nghiệp theo số định danh",
}
