"""Exchange API (liên thông): documents as edXML (thin)."""

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from egov.api.auth import AUTH
from egov.core.limits import Id
from egov.documents import selectors
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


# Under /documents beside the documents app's own routes: the path is the document's, the format ours.
ROUTERS = [("/documents", router)]
