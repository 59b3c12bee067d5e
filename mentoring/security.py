"""Response headers that Django's own middleware does not set: Content-Security-Policy and
Permissions-Policy. No inline scripts or styles anywhere, so the policy needs no nonces."""

from __future__ import annotations

from django.conf import settings

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # the two-factor QR code is a data: image
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Django's admin still writes a few style="" attributes; it is for superusers only.
ADMIN_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else POLICY
        response.setdefault("Permissions-Policy", PERMISSIONS)
        if not settings.DEBUG:
            response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
