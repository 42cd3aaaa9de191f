from django.conf import settings

from egov.core.client import client_address


class SecurityHeadersMiddleware:
    """Content security policy and permissions policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The interactive API docs load their own inline script; everything else is strict.
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class AuditContextMiddleware:
    """Make the client's address available to audit entries recorded during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from egov.core.audit import client_ip

        token = client_ip.set(client_address(request)[:64])
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
