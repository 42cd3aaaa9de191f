"""Wording of the feedback audit actions (see `core.audit_labels`)."""

LABELS = {
    # the workflow (egov.feedback.services, submission)
    "feedback.submitted": "Gửi phản ánh, kiến nghị",
    "feedback.confirmed": "Xác nhận phản ánh bằng mã một lần",
    "feedback.code_resent": "Gửi lại mã xác nhận phản ánh",
    "feedback.sender_code_sent": "Gửi mã xác nhận người gửi phản ánh",
    "feedback.sender_verified": "Xác nhận là người gửi phản ánh bằng mã một lần",
    "feedback.routed": "Phân loại, chuyển phản ánh đến cơ quan có thẩm quyền",
    "feedback.handler_assigned": "Phân công chuyên viên xử lý phản ánh",
    "feedback.transferred": "Chuyển phản ánh sang cơ quan khác",
    "feedback.sent_back": "Trả phản ánh về bộ phận tiếp nhận",
    "feedback.closed": "Đóng phản ánh",
    "feedback.marked_duplicate": "Đánh dấu phản ánh trùng",
    "feedback.answer_drafted": "Dự thảo trả lời phản ánh",
    "feedback.answer_returned": "Trả lại dự thảo trả lời phản ánh",
    "feedback.answer_approved": "Duyệt trả lời phản ánh",
    "feedback.reopened": "Người gửi mở lại phản ánh",
    "feedback.rated": "Người gửi đánh giá trả lời phản ánh",
    "feedback.escalated": "Phản ánh quá hạn, báo lãnh đạo",
    # moderation (egov.feedback.moderation)
    "feedback.hidden": "Ẩn phản ánh (kiểm duyệt)",
    "feedback.unhidden": "Bỏ ẩn phản ánh",
    "feedback.redacted": "Che, sửa nội dung phản ánh (kiểm duyệt)",
    "feedback.answer_redacted": "Che, sửa nội dung trả lời công khai (kiểm duyệt)",
    "feedback.file_hidden": "Ẩn tệp đính kèm phản ánh (kiểm duyệt)",
    "feedback.made_private": "Chuyển phản ánh sang chế độ riêng tư",
    "feedback.sender_banned": "Chặn người gửi phản ánh",
    "feedback.sender_unbanned": "Bỏ chặn người gửi phản ánh",
    # satisfaction with dossiers (egov.feedback.ratings)
    "service_rating.created": "Đánh giá mức độ hài lòng về giải quyết hồ sơ",
    # fields of feedback (egov.feedback.services_settings)
    "feedback_field.created": "Thêm lĩnh vực phản ánh",
    "feedback_field.updated": "Sửa lĩnh vực phản ánh, thời hạn xử lý",
}
