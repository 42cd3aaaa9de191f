"""Wording of the signing app's audit actions (see `core.audit_labels`)."""

LABELS = {
    "signing.signed": "Ký số",
    "signing.certificate_registered": "Đăng ký chứng thư số",
    "signing.certificate_deactivated": "Ngừng dùng chứng thư số",
    "signing.vault_key_rotated": "Đổi khóa mã hóa chứng thư số",
    "signing.trusted_root_added": "Thêm chứng thư gốc tin cậy",
    "signing.trusted_root_removed": "Bỏ chứng thư gốc tin cậy",
}
