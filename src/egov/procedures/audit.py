"""Wording of the procedure catalogue's audit actions (see `core.audit_labels`)."""

LABELS = {
    "procedure.created": "Thêm thủ tục",
    "procedure.updated": "Sửa thủ tục",
    "procedure.adopted": "Áp dụng thủ tục",
    "procedure.withdrawn": "Ngừng áp dụng thủ tục",
    "procedure.process_set": "Cập nhật quy trình nội bộ",
    "procedure.process_reset": "Dùng quy trình mặc định",
    "procedure.form_set": "Cập nhật mẫu tờ khai điện tử",
    "procedures.imported": "Nhập danh mục thủ tục",
}
