"""The request body limit, enforced before any view reads the body.

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when ``request.body`` or a form is read, and DRF's
parsers read the stream without that check; this middleware refuses a declared body larger than
that setting with 413 in the one error format, for every path.
"""

from django.conf import settings
from django.http import JsonResponse

from .errors import error_body


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                error_body("Content-Length is not a number.", "bad_request"), status=400
            )
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            message = (
                f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
            )
            return JsonResponse(error_body(message, "payload_too_large"), status=413)
        return self.get_response(request)
