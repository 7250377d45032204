"""Google's two error shapes: its OAuth endpoints' and its APIs'.

- OAuth endpoints (token, revoke) answer ``{"error": "<code>", "error_description": "..."}``
  (RFC 6749 section 5.2; https://developers.google.com/identity/protocols/oauth2/web-server).
- APIs answer ``{"error": {"code": N, "message": "...", "status": "<CANONICAL>"}}``, plus the
  v1-style ``errors`` list that Gmail and Calendar still send
  (https://cloud.google.com/apis/design/errors#http_mapping).
"""

from collections.abc import Mapping
from http import HTTPStatus

from django.http import JsonResponse

from sandbox.routing import Answer, dispatcher

# HTTP status -> (canonical status, Google's usual message); others fall back to UNKNOWN.
API_STATUSES = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
    ),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    500: ("INTERNAL", "Internal error encountered."),
    501: ("NOT_IMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "The request timed out."),
}
# HTTP status -> the OAuth error code a token endpoint answers with it.
OAUTH_CODES = {
    400: "invalid_request",
    401: "invalid_client",
    429: "rate_limit_exceeded",
    503: "temporarily_unavailable",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def api_error_body(status: int, message: str | None = None, reason: str | None = None) -> dict:
    """The body of a Google API error; ``reason`` fills the v1-style ``errors`` list."""
    canonical, usual = API_STATUSES.get(status, ("UNKNOWN", _phrase(status)))
    message = message or usual
    error = {"code": status, "message": message, "status": canonical}
    if reason:
        error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    return {"error": error}


def api_error(status: int, message: str | None = None, reason: str | None = None) -> JsonResponse:
    """A Google API error response; for example ``api_error(404, reason="notFound")``."""
    return JsonResponse(api_error_body(status, message, reason), status=status)


def oauth_error_body(status: int) -> dict:
    """The usual body of an error of Google's token or revoke endpoint with that status."""
    code = OAUTH_CODES.get(status, "server_error" if status >= 500 else "invalid_request")
    return {"error": code, "error_description": _phrase(status)}


def oauth_error(error: str, description: str | None = None, status: int = 400) -> JsonResponse:
    """An error of Google's token or revoke endpoint with an explicit OAuth error code."""
    body = {"error": error}
    if description:
        body["error_description"] = description
    return JsonResponse(body, status=status)


def api_router(errors: Mapping[type[Exception], Answer]):
    """The ``route(**handlers)`` of a Google API (see ``sandbox.routing.dispatcher``): faults
    answer Google's API error body, an unknown method 405, and ``errors`` map the handlers'
    exceptions to Google's errors."""
    return dispatcher("google", api_error_body, _method_not_allowed, errors)


def _method_not_allowed() -> JsonResponse:
    return api_error(405, "Method Not Allowed")
