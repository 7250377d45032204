"""Salesforce's REST error answers: a JSON list of ``{"message", "errorCode"}`` objects, with
``fields`` when the error concerns fields of a record.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from django.http import JsonResponse

# The usual code of a status, for injected faults and answers that have no better one.
STATUS_CODES = {
    400: "INVALID_INPUT",
    401: "INVALID_SESSION_ID",
    403: "REQUEST_LIMIT_EXCEEDED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "REQUEST_LIMIT_EXCEEDED",
    503: "SERVER_UNAVAILABLE",
}
STATUS_MESSAGES = {
    401: "Session expired or invalid",
    403: "TotalRequests Limit exceeded.",
    404: "The requested resource does not exist",
    429: "TotalRequests Limit exceeded.",
    503: "Server temporarily unavailable.",
}
UNKNOWN = "An unexpected error occurred. Please include this ErrorId if you contact support: "
UNKNOWN += "1032440461-41208 (-1284491765)"


class SalesforceError(Exception):
    """An answer Salesforce gives with this status, code and message (and fields)."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields

    def item(self) -> dict:
        """The error object of a REST answer."""
        answer = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            answer["fields"] = self.fields
        return answer

    def save_error(self) -> dict:
        """The error object of a SaveResult (sObject Collections): its keys are named apart."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields or []}

    def response(self) -> JsonResponse:
        return JsonResponse([self.item()], status=self.status, safe=False)


def error_body(status: int) -> list[dict]:
    """The body of an injected fault with that status."""
    code = STATUS_CODES.get(status, "UNKNOWN_EXCEPTION" if status >= 500 else "INVALID_INPUT")
    message = STATUS_MESSAGES.get(status, UNKNOWN if status >= 500 else "Bad request.")
    return [{"message": message, "errorCode": code}]


def not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", STATUS_MESSAGES[404])


def invalid_session() -> SalesforceError:
    return SalesforceError(401, "INVALID_SESSION_ID", STATUS_MESSAGES[401])


def json_error(message: str) -> SalesforceError:
    return SalesforceError(400, "JSON_PARSER_ERROR", message)


def malformed_query(message: str) -> SalesforceError:
    return SalesforceError(400, "MALFORMED_QUERY", message)
