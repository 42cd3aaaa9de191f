"""Wording of the payment audit actions (see `core.audit_labels`)."""

LABELS = {
    "payment.created": "Tạo giao dịch thanh toán phí trực tuyến",
    "payment.paid": "Cổng thanh toán xác nhận đã thanh toán phí",
    "payment.failed": "Cổng thanh toán báo thanh toán không thành công",
    "payment.ipn_refused": "Từ chối thông báo của cổng thanh toán (sai chữ ký, số tiền, mã giao dịch hoặc đã xác nhận)",
    "payment.expired": "Giao dịch thanh toán hết hạn",
    "payment.counter_paid": "Thu phí, lệ phí tại quầy",
    "payment.exemption_recorded": "Ghi nhận miễn, giảm phí, lệ phí",
    "payment.refunded": "Hoàn tiền phí, lệ phí",
}
