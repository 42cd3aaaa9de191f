"""The dossier news notify tells beyond its own events (core.notices): a refused online dossier."""

from egov.core.notices import Notice

NOTICES = [
    Notice(
        "dossier.refused", "Hồ sơ bị từ chối tiếp nhận", "citizen",
        variables={"code": "Mã hồ sơ (nếu có)", "procedure": "Tên thủ tục", "agency": "Cơ quan giải quyết",
                   "applicant": "Tên người nộp", "reason": "Lý do từ chối"},
        sample={"code": "", "procedure": "Cấp giấy phép xây dựng nhà ở riêng lẻ", "agency": "UBND phường Phú Hội",
                "applicant": "Nguyễn Văn An", "reason": "Hồ sơ nộp nhầm cơ quan."},
        email_subject="Hồ sơ nộp trực tuyến bị từ chối tiếp nhận",
        email_body=("Kính gửi {{ applicant }},\n\nHồ sơ \"{{ procedure }}\" ông/bà nộp trực tuyến tới {{ agency }} "
                    "bị từ chối tiếp nhận. Lý do: {{ reason }}\n\nXem chi tiết: {{ link }}"),
        sms="Ho so nop truc tuyen cua ban bi tu choi tiep nhan. Vui long xem ly do tren Cong dich vu cong.",
        app="Hồ sơ \"{{ procedure }}\" bị từ chối tiếp nhận: {{ reason|truncatechars:120 }}",
    ),
]
