"""Documents API: extraction, search, reading and registering incoming documents (thin)."""

import datetime as dt

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from egov.api.auth import AUTH
from egov.api.pagination import limit_field, offset_field
from egov.core.actors import is_api_key
from egov.core.errors import PermissionDenied, ValidationError
from egov.core.limits import Date, Id
from egov.documents import files, selectors, services
from egov.documents.extraction import ExtractionError, extract_metadata
from egov.documents.models import Document, DocumentType
from egov.documents.search import COUNT_CAP
from egov.org.models import Agency
from egov.org.permissions import ensure_can

router = Router(tags=["Văn bản"], auth=AUTH)


class ExtractOut(Schema):
    number_symbol: str | None = Field(None, description="Số, ký hiệu như in trên văn bản, ví dụ 838/QĐ-UBND.")
    document_type: str | None = Field(None, description="Tên đầy đủ của loại văn bản, ví dụ Quyết định.")
    issued_on: dt.date | None = Field(None, description="Ngày ban hành (ISO).")
    issuer: str | None = Field(None, description="Cơ quan ban hành như in ở phần đầu văn bản.")
    summary: str | None = Field(None, description="Trích yếu.")
    document_type_code: str | None = None
    parent_issuer: str | None = None
    place: str | None = None
    confidence: dict[str, float] = {}


class DocumentOut(Schema):
    id: int
    direction: str
    status: str
    status_label: str
    agency: str
    document_type: str
    document_type_code: str
    number_symbol: str
    register_number: int | None
    issued_on: dt.date | None
    issuer: str
    summary: str
    urgency: str
    due_on: dt.date | None
    has_digital_signature: bool
    signature_verdict: str = Field(description="Kết quả kiểm tra chữ ký số khi văn bản đến hoặc khi tạo bản PDF: "
                                               "valid | invalid | indeterminate | unsigned | unreadable; rỗng nếu chưa kiểm tra.")
    signature_summary: str
    signers: list[str] = Field(description="Người ký số, theo thứ tự ký.")
    url: str

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code

    @staticmethod
    def resolve_document_type(obj):
        return obj.doc_type.name

    @staticmethod
    def resolve_document_type_code(obj):
        return obj.doc_type.code

    @staticmethod
    def resolve_issuer(obj):
        return obj.issuer_name

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class SearchIn(Schema):
    q: str = Field("", description="Từ khóa, có dấu hoặc không dấu.")
    direction: str = Field("", description="incoming | outgoing")
    type: str = Field("", description="Mã loại văn bản, ví dụ QĐ, CV.")
    issuer: str = ""
    date_from: Date | None = None
    date_to: Date | None = None
    status: str = ""
    handler: Id | None = Field(None, description="Mã người xử lý.")
    limit: int = limit_field(25)
    offset: int = offset_field()


class SearchOut(Schema):
    items: list[DocumentOut]
    count: int = Field(description=f"Số văn bản khớp, chính xác đến {COUNT_CAP}; {COUNT_CAP + 1} nghĩa là "
                                   f"nhiều hơn {COUNT_CAP}.")


class IncomingIn(Schema):
    document_type: str = Field(description="Mã loại văn bản (QĐ, CV, ...).")
    summary: str
    number_symbol: str = ""
    issued_on: Date | None = None
    issuer: str = ""
    signer_name: str = ""
    signer_position: str = ""
    urgency: str = Document.Urgency.NORMAL
    confidentiality: str = Document.Confidentiality.NORMAL
    due_on: Date | None = None
    agency: str | None = Field(None, description="Mã định danh cơ quan nhận; mặc định cơ quan của người gọi.")


def _read_pdf(file: UploadedFile) -> files.Upload:
    return files.read_upload(file, allowed=(files.PDF,))


@router.post("/extract", response=ExtractOut, summary="Đọc số, ký hiệu, loại, ngày, cơ quan ban hành, trích yếu từ PDF")
def extract(request: HttpRequest, file: UploadedFile = File(...)):
    ensure_can(request.auth, "documents.extract")
    upload = _read_pdf(file)
    try:
        meta = extract_metadata(upload.data)
    except ExtractionError as exc:
        raise ValidationError(str(exc), code=exc.code) from None
    return {"number_symbol": meta.number_symbol, "document_type": meta.document_type, "issued_on": meta.issued_on,
            "issuer": meta.issuer, "summary": meta.summary, "document_type_code": meta.document_type_code,
            "parent_issuer": meta.parent_issuer, "place": meta.place, "confidence": meta.confidence}


@router.get("", response=SearchOut, summary="Tìm kiếm văn bản (trong phạm vi được xem)")
def search(request: HttpRequest, params: Query[SearchIn]):
    ensure_can(request.auth, "documents.view")
    filters = selectors.Filters(q=params.q, direction=params.direction, doc_type=params.type, issuer=params.issuer,
                                date_from=params.date_from, date_to=params.date_to, status=params.status,
                                handler=params.handler)
    page = selectors.search_documents(request.auth, filters, offset=params.offset, per_page=params.limit)
    return {"items": page.results, "count": page.total if page.total is not None else page.more_than + 1}


@router.get("/{int:document_id}", response=DocumentOut, summary="Một văn bản")
def get_document(request: HttpRequest, document_id: Path[Id]):
    ensure_can(request.auth, "documents.view")
    return selectors.get_visible_document(request.auth, document_id)


def _caller_agency(actor, code: str | None) -> Agency:
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise ValidationError("Không tìm thấy cơ quan có mã định danh này.", code="unknown_agency")
        return agency
    if is_api_key(actor):
        return actor.agency
    official = getattr(actor, "official_or_none", None)
    if official is None:
        raise PermissionDenied()
    return official.agency


@router.post("/incoming", response={201: DocumentOut}, summary="Vào sổ văn bản đến")
def register_incoming(request: HttpRequest, payload: Form[IncomingIn], file: UploadedFile = File(None)):
    agency = _caller_agency(request.auth, payload.agency)
    ensure_can(request.auth, "documents.register", agency)
    doc_type = DocumentType.objects.filter(code=payload.document_type, is_active=True).first()
    if doc_type is None:
        raise ValidationError("Mã loại văn bản không hợp lệ.", code="invalid_type")
    uploads = [_read_pdf(file)] if file is not None else []
    document = services.register_incoming(
        actor=request.auth, agency=agency, doc_type=doc_type, summary=payload.summary,
        number_symbol=payload.number_symbol, issued_on=payload.issued_on, issuer_name=payload.issuer,
        signer_name=payload.signer_name, signer_position=payload.signer_position, urgency=payload.urgency,
        confidentiality=payload.confidentiality, due_on=payload.due_on, uploads=uploads)
    return Status(201, document)


ROUTERS = [("/documents", router)]
