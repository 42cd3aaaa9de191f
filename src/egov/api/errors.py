"""Every error under /api/ is the documented JSON `{"code", "message"}`, whatever raised it.

The routers' errors pass through the handlers in `api.root`; this middleware covers what happens
outside them: an unknown address under /api/ (Django's 404 page), a method a route does not take
(Ninja's empty 405), a CSRF failure, a body over the upload limit, an exception in another
middleware (Django's 500 page). It sits first in MIDDLEWARE, so it sees every response.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja import Schema
from pydantic import Field

API_PREFIX = "/api/"

# status -> (machine code, Vietnamese message), for errors that carry no message of their own.
STATUS_ERRORS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthenticated", "Cần đăng nhập hoặc khóa API hợp lệ."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy địa chỉ hoặc dữ liệu yêu cầu."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức HTTP đã dùng."),
    413: ("too_large", "Dữ liệu gửi lên vượt quá dung lượng cho phép."),
    415: ("unsupported_media_type", "Kiểu dữ liệu gửi lên không được hỗ trợ."),
    429: ("rate_limited", "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau."),
    500: ("server_error", "Hệ thống gặp sự cố. Vui lòng thử lại sau."),
    503: ("unavailable", "Hệ thống tạm thời gián đoạn. Vui lòng thử lại sau ít phút."),
}
CSRF_ERROR = ("csrf_failed", "Thiếu hoặc sai mã CSRF (tiêu đề X-CSRFToken) cho phiên đăng nhập.")


class ErrorOut(Schema):
    """The body of every error under /api/."""

    code: str = Field(description="Mã lỗi cho máy đọc: invalid, not_found, forbidden, conflict, rate_limited, ...")
    message: str = Field(description="Thông báo tiếng Việt cho người dùng")
    details: Any = Field(None, description="Chi tiết (trường sai, giới hạn, ...), nếu có")


def status_error(status: int) -> tuple[str, str]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return STATUS_ERRORS[500] if status >= 500 else STATUS_ERRORS[400]


def json_error(status: int, code: str | None = None, message: str | None = None) -> HttpResponse:
    default_code, default_message = status_error(status)
    body = {"code": code or default_code, "message": message or default_message}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX) or is_json(response):
            return response
        replacement = json_error(response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement
