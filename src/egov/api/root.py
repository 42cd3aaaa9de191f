"""The HTTP API at /api/v1: one Ninja router per app, errors as JSON with a code and a message."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from egov.api.errors import CSRF_ERROR, ErrorOut, status_error
from egov.core.errors import DATABASE_DOWN, RETRY_AFTER_SECONDS, DomainError
from egov.core.registry import egov_modules

logger = logging.getLogger("django.request")

ERROR_RESPONSES = {
    "400": "Thân yêu cầu không đọc được (bad_request)",
    "401": "Cần đăng nhập hoặc khóa API hợp lệ (unauthenticated)",
    "403": "Không có quyền, hoặc thiếu mã CSRF của phiên đăng nhập (forbidden, csrf_failed)",
    "404": "Không tìm thấy dữ liệu (not_found)",
    "409": "Hồ sơ đã thay đổi trạng thái (conflict)",
    "413": "Dữ liệu gửi lên quá lớn (too_large)",
    "422": "Dữ liệu không hợp lệ (invalid và các mã nghiệp vụ)",
    "429": "Gửi quá nhiều yêu cầu (rate_limited)",
    "503": "Dịch vụ quét mã độc tạm thời không hoạt động, tệp chưa được nhận (scanner_unavailable)",
}
FORM_BODIES = {"multipart/form-data", "application/x-www-form-urlencoded"}


class EgovAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema, with the errors every operation may answer: the documented JSON body for
        each status it can get (auth errors where auth is needed, body errors where a body is read)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = (
            ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                statuses = ["404", "422", "429"]
                if operation.get("security"):
                    statuses += ["401", "403"]
                if method in ("post", "put", "patch"):
                    statuses += ["400", "409", "413"]
                if set(operation.get("requestBody", {}).get("content", {})) & FORM_BODIES:
                    statuses.append("503")  # forms carry uploads: refused while the malware scanner is down
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    responses.setdefault(status, {"description": ERROR_RESPONSES[status], "content": error})
        return schema


api = EgovAPI(
    title="egov API",
    version="1",
    description=(
        "API của nền tảng egov: thủ tục hành chính, hồ sơ một cửa, văn bản, chữ ký số, lịch làm việc.\n\n"
        "Xác thực: phiên đăng nhập của trình duyệt, hoặc `Authorization: Bearer <khóa API>` cho hệ thống khác. "
        "Lỗi trả về JSON `{\"code\": ..., \"message\": ...}` với thông báo tiếng Việt."
    ),
    urls_namespace="api",
    docs_url="/docs",
)

FIELD_LABELS = {"missing": "thiếu", "int_parsing": "phải là số nguyên", "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
                "date_parsing": "phải là ngày dạng YYYY-MM-DD",
                "datetime_parsing": "phải là thời điểm dạng YYYY-MM-DDTHH:MM:SS+07:00", "greater_than_equal": "quá nhỏ",
                "less_than_equal": "quá lớn", "string_too_long": "quá dài", "string_too_short": "quá ngắn",
                "enum": "không thuộc giá trị cho phép", "literal_error": "không thuộc giá trị cho phép",
                "date_range": "phải từ ngày 01/01/1900 đến 31/12/2999"}


def error(request, status: int, code: str, message: str, details=None):
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = error(request, exc.status, exc.code, exc.message, exc.details or None)
    if exc.status == 429 and isinstance(exc.details, dict) and "retry_after" in exc.details:
        response["Retry-After"] = str(exc.details["retry_after"])
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    parts = []
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path", "form", "file")]
        reason = FIELD_LABELS.get(item.get("type", ""), item.get("msg", "không hợp lệ"))
        parts.append(f"{'.'.join(loc) or 'dữ liệu'}: {reason}")
    return error(request, 422, "invalid", "Dữ liệu không hợp lệ: " + "; ".join(parts) + ".", exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthenticated", "Cần đăng nhập hoặc khóa API hợp lệ.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", "Không tìm thấy dữ liệu yêu cầu.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # Ninja's own HttpErrors speak English (CSRF check, unparsable body): answer by status.
    if exc.status_code == 403 and "CSRF" in str(exc):
        code, message = CSRF_ERROR
    else:
        code, message = status_error(exc.status_code)
    return error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc: Exception):
    """What no handler above knows: Django's request errors by their status, anything else a
    logged 500, in the same JSON as every other error."""
    if isinstance(exc, RequestDataTooBig):
        status = 413
    elif isinstance(exc, (SuspiciousOperation, MultiPartParserError, UnreadablePostError)):
        status = 400
    elif isinstance(exc, DjangoPermissionDenied):
        status = 403
    elif isinstance(exc, DATABASE_DOWN):
        logger.error("Database unavailable: %s: %s: %s", request.path, type(exc).__name__, str(exc).strip()[:300])
        response = error(request, 503, *status_error(503))
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    else:
        logger.error("Internal Server Error: %s", request.path, exc_info=exc,
                     extra={"status_code": 500, "request": request})
        status = 500
    code, message = status_error(status)
    return error(request, status, code, message)


def mount_app_routers() -> None:
    """Each app's `api.py` lists `ROUTERS = [(prefix, router), ...]`."""
    for module in egov_modules("api"):
        for prefix, router in getattr(module, "ROUTERS", []):
            api.add_router(prefix, router)


mount_app_routers()
