"""Wording of the feedback audit actions (see `core.audit_labels`)."""

LABELS = {
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
}
