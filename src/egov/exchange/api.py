"""Exchange API (liên thông): documents as edXML, and the endpoint peers post edXML messages to (thin)."""

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema
from ninja.responses import Status
from pydantic import Field

from egov.api.auth import AUTH, bearer
from egov.core.client import client_address
from egov.core.limits import Id
from egov.documents import selectors
from egov.exchange import edxml, inbound
from egov.exchange.messages import document_edxml
from egov.org.permissions import ensure_can

router = Router(tags=["Liên thông"], auth=AUTH)

XML = "application/xml"


@router.get("/{int:document_id}/edxml", summary="Một văn bản đi đã phát hành, dạng edXML (QCVN 102:2016)",
            openapi_extra={"responses": {
                200: {"description": "Gói tin edXML, các tệp của văn bản mã hóa base64.",
                      "content": {XML: {"schema": {"type": "string"}}}},
                409: {"description": "Văn bản chưa phát hành (not_issued)",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}}})
def document_as_edxml(request: HttpRequest, document_id: Path[Id]):
    ensure_can(request.auth, "documents.view")
    document = selectors.get_visible_document(request.auth, document_id)
    return HttpResponse(document_edxml(document), content_type=XML)


exchange_router = Router(tags=["Liên thông"], auth=[bearer])
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


class ExchangeDocumentOut(Schema):
    id: int = Field(description="Mã văn bản đến trong hệ thống này")
    agency: str = Field(description="Mã định danh cơ quan nhận")
    number_symbol: str = Field(description="Số, ký hiệu văn bản (của cơ quan gửi)")


class ExchangeReceiptOut(Schema):
    documents: list[ExchangeDocumentOut]
    status_code: str = Field(description="Mã trạng thái: 01 đã đến (văn bản mới, cập nhật, thay thế), 13 thu hồi, "
                                         "hoặc mã của gói tin trạng thái nhận được")


def _body(request: HttpRequest) -> bytes:
    """The raw body, read up to one byte past the limit (a larger one is refused unread beyond that):
    not `request.body`, which stops at DATA_UPLOAD_MAX_MEMORY_SIZE, meant for forms."""
    return request.read(edxml.max_bytes() + 1)


@exchange_router.post(
    "/edxml", response={200: ExchangeReceiptOut, 201: ExchangeReceiptOut},
    summary="Nhận gói tin edXML (QCVN 102:2016): văn bản, trạng thái, thu hồi, cập nhật, thay thế",
    description=("Thân yêu cầu là gói tin edXML nguyên bản (`Content-Type: application/xml`); khóa API cần phạm vi "
                 "`exchange:write`. Gói tin bị từ chối được lưu cách ly cho quản trị viên xem."),
    openapi_extra={
        "requestBody": {"required": True, "content": {XML: {"schema": {"type": "string"}}}},
        "responses": {
            200: {"description": "Gói tin đã nhận trước đó (cùng cơ quan gửi và DocumentId, hoặc cùng trạng thái): "
                                 "không có gì mới, trả lại các văn bản đã vào sổ."},
            201: {"description": "Văn bản mới đã vào sổ văn bản đến (một văn bản cho mỗi cơ quan nhận To), "
                                 "trạng thái đã ghi nhận, hoặc yêu cầu thu hồi/cập nhật/thay thế chờ văn thư trả lời."},
            401: {"description": "Thiếu hoặc sai khóa API (unauthenticated)", "content": ERROR},
            403: {"description": "Khóa API không có phạm vi exchange:write (forbidden)", "content": ERROR},
            413: {"description": "Gói tin vượt quá dung lượng cho phép (too_large)", "content": ERROR},
            422: {"description": "Gói tin bị từ chối và lưu cách ly (invalid, invalid_attachment, invalid_signature, "
                                 "signature_required, request_pending); details.element chỉ phần tử sai",
                  "content": ERROR},
        }})
def receive_edxml(request: HttpRequest):
    receipt = inbound.receive(_body(request), api_key=request.auth, client_address=client_address(request))
    return Status(receipt.status, {
        "documents": [{"id": d.pk, "agency": d.agency.code, "number_symbol": d.number_symbol}
                      for d in receipt.documents],
        "status_code": receipt.status_code})


# Under /documents beside the documents app's own routes: the path is the document's, the format ours.
ROUTERS = [("/documents", router), ("/exchange", exchange_router)]
