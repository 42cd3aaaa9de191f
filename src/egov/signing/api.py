"""API: public verification of signed PDFs (POST /api/v1/signatures/verify)."""


from ninja import Router, Schema

from egov.api.errors import ErrorOut
from egov.signing import services
from egov.signing.uploads import check_verify_rate, read_pdf_upload

router = Router(tags=["Chữ ký số"])


class SignatureOut(Schema):
    kind: str
    field_name: str
    signer: str
    issuer: str
    signed_at: str | None
    timestamped: bool
    timestamp_at: str | None
    intact: bool
    covers_whole_document: bool
    trusted: bool
    revoked: bool | None
    expired: bool
    valid: bool
    indeterminate: bool
    problems: list[str]
    warnings: list[str]
    modification: str | None


class VerificationOut(Schema):
    verdict: str
    summary: str
    signatures: list[SignatureOut]




@router.post(
    "/verify",
    auth=None,
    response={200: VerificationOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Kiểm tra chữ ký số trên tệp PDF",
    description=(
        "Công khai, không cần xác thực. Gửi tệp PDF ở trường `file` (multipart/form-data). Trả về các chữ ký theo "
        "thứ tự ký: `signer`, `signed_at`, `intact` (nội dung không bị sửa sau khi ký), `trusted` (chuỗi chứng thư "
        "dẫn tới chứng thư gốc tin cậy), `revoked` (null khi chưa kiểm tra được), `expired`, `valid`; cùng `verdict` "
        "(valid, invalid, indeterminate, unsigned) và `summary` tiếng Việt. Tệp không phải PDF: 422; quá lớn: 413; "
        "gửi quá nhiều: 429. Tệp không được lưu lại."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": "Tệp PDF"}}}}}}},
)
def verify(request):
    # the file is read here, not declared as a parameter, so that its size is checked first
    check_verify_rate(request)
    pdf = read_pdf_upload(request)
    return services.verify_and_summarise(pdf).to_dict()


ROUTERS = [("/signatures", router)]
