"""Wording of the dossiers' audit actions (see `core.audit_labels`)."""

LABELS = {
    "dossier.draft_saved": "Lưu bản nháp hồ sơ",
    "dossier.submitted": "Nộp hồ sơ trực tuyến",
    "dossier.registered": "Tiếp nhận hồ sơ trực tiếp",
    "dossier.accepted": "Tiếp nhận hồ sơ",
    "dossier.refused": "Từ chối tiếp nhận",
    "dossier.counter_supplement": "Hướng dẫn bổ sung, hoàn thiện hồ sơ tại quầy",
    "dossier.forwarded": "Chuyển bước xử lý",
    "dossier.reassigned": "Phân công lại người xử lý",
    "dossier.sent_back": "Trả lại bước trước",
    "dossier.supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "dossier.supplemented": "Nộp bổ sung hồ sơ",
    "dossier.transferred": "Chuyển liên thông",
    "dossier.transfer_done": "Hoàn thành liên thông",
    "dossier.approved": "Phê duyệt kết quả",
    "dossier.rejected": "Không giải quyết",
    "dossier.result_attached": "Đính kèm kết quả",
    "dossier.returned": "Trả kết quả",
    "dossier.withdrawn": "Rút hồ sơ",
    "dossier.apology_issued": "Lập phiếu xin lỗi, hẹn lại",
}
