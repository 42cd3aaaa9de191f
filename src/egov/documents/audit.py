"""Wording of the documents' audit actions (see `core.audit_labels`): the document page's
"Quá trình xử lý" and the audit log read the same."""

LABELS = {
    "document.registered": "Vào sổ văn bản đến",
    # recorded on the recipient's copy of a document sent through the system
    "document.delivered": "Nhận văn bản liên thông",
    "document.assigned": "Phân công xử lý",
    "document.reassigned": "Chuyển xử lý trong đơn vị",
    "document.note_added": "Cập nhật ý kiến, tiến độ",
    "document.assignment_done": "Hoàn thành phần việc",
    "document.done": "Kết thúc xử lý",
    "document.drafted": "Tạo dự thảo",
    "document.version_added": "Cập nhật phiên bản dự thảo",
    "document.submitted": "Trình duyệt",
    "document.reviewed": "Cho ý kiến dự thảo",
    "document.returned": "Trả lại dự thảo",
    "document.approved": "Phê duyệt văn bản",
    "document.issued": "Phát hành văn bản",
    "document_type.updated": "Sửa loại văn bản",
}
