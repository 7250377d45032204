"""The API's one error format: ``{"error": <for a person>, "code": <machine>, "fields": {}}``."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clianta.errors import ApiError

logger = logging.getLogger("clianta.api")


def error_body(error: str, code: str, fields: dict | None = None) -> dict:
    return {"error": error, "code": code, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        body = {**error_body(exc.message, exc.code), **exc.extra}
        response = Response(body, status=exc.status_code)
        if exc.retry_after:
            response["Retry-After"] = str(int(exc.retry_after))
        return response
    if isinstance(exc, IntegrityError):
        # A concurrent write won the race for a unique value (an email address, an account).
        return Response(
            error_body("This conflicts with a record that already exists.", "conflict"),
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("api.unhandled_error", extra={"view": type(context.get("view")).__name__})
        return Response(
            error_body(
                "Something went wrong on our side. Our team has been notified.", "server_error"
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response.data = _format(exc, response.data)
    return response


def _format(exc, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        return error_body(_first_message(fields), "invalid", fields)
    if isinstance(exc, Http404):
        return error_body("Not found.", "not_found")
    if isinstance(exc, PermissionDenied):
        return error_body("You do not have permission to perform this action.", "permission_denied")
    detail = getattr(exc, "detail", data)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return error_body(str(detail), str(code))


def _first_message(fields: dict) -> str:
    for name, messages in fields.items():
        message = messages
        while isinstance(message, list | dict):
            if not message:
                break
            message = message[0] if isinstance(message, list) else next(iter(message.values()))
        if isinstance(message, str):
            return message if name in ("non_field_errors", "detail") else f"{name}: {message}"
    return "Invalid input."


# Django's own error views (handler400/403/404/500 in clianta/urls.py), for what never reaches a DRF
# view: no URL matched, a body Django refused to read, a crash in middleware. JSON in the one
# format under /api/; Django's pages elsewhere.


def _json_under_api(default_view, status_code: int, message: str, code: str):
    def view(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(message, code), status=status_code)
        return default_view(request, *args, **kwargs)

    return view


not_found = _json_under_api(defaults.page_not_found, 404, "Not found.", "not_found")


def permission_denied(request, exception=None):
    """A refusal raised by a plain Django view: its own message, in the error format."""
    if request.path.startswith("/api/"):
        message = str(exception or "") or "You do not have permission to perform this action."
        return JsonResponse(error_body(message, "permission_denied"), status=403)
    return defaults.permission_denied(request, exception)


bad_request = _json_under_api(
    defaults.bad_request, 400, "The request could not be read.", "bad_request"
)
server_error = _json_under_api(
    defaults.server_error,
    500,
    "Something went wrong on our side. Our team has been notified.",
    "server_error",
)
