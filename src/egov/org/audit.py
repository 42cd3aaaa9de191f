"""Wording of the accounts' and officials' audit actions (see `core.audit_labels`)."""

LABELS = {
    "account.registered": "Đăng ký tài khoản",
    "account.registration_refused": "Đăng ký trùng thư điện tử/số điện thoại (đã báo chủ tài khoản)",
    "account.activated": "Kích hoạt tài khoản",
    "account.password_reset_requested": "Yêu cầu đặt lại mật khẩu",
    "account.password_reset": "Đặt lại mật khẩu",
    "account.2fa_enabled": "Bật xác thực hai bước",
    "account.2fa_disabled": "Tắt xác thực hai bước",
    "account.recovery_code_used": "Dùng mã dự phòng đăng nhập",
    "account.locked": "Tạm khóa đăng nhập do nhập sai nhiều lần",
    "official.created": "Thêm cán bộ",
    "official.updated": "Sửa thông tin, vai trò, phòng ban của cán bộ",
    "official.deactivated": "Khóa tài khoản cán bộ",
    "official.activated": "Mở khóa tài khoản cán bộ",
    "official.password_reset": "Đặt lại mật khẩu cán bộ",
    "agency.updated": "Sửa thông tin cơ quan",
    "department.created": "Thêm phòng ban",
    "department.updated": "Sửa phòng ban",
    "calendar.exception_added": "Thêm ngày nghỉ, ngày làm bù",
    "calendar.exception_removed": "Xóa ngày nghỉ, ngày làm bù",
    "people.looked_up": "Tra cứu công dân, doanh nghiệp theo số định danh",
}
