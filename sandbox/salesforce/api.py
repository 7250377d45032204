"""The frame of every REST API call under ``<instance>/services/data/vXX.X/``: the route (call
log, faults, methods), the session (401 INVALID_SESSION_ID), the org's daily API requests
(``Sforce-Limit-Info: api-usage=used/limit`` on every answer; past the limit 403
REQUEST_LIMIT_EXCEEDED), Salesforce's error answers and JSON bodies.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse

from sandbox.faults import sandbox_endpoint
from sandbox.routing import dispatcher

from . import store, tokens
from .errors import SalesforceError, error_body, json_error, not_found
from .models import SalesforceOrg, SalesforceUser
from .writes import RecordRejected

LIMIT_EXCEEDED = "TotalRequests Limit exceeded."


def _not_allowed() -> HttpResponse:
    return SalesforceError(
        405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed for this resource"
    ).response()


def rejected(error: RecordRejected) -> JsonResponse:
    items = [problem.item() for problem in error.errors]
    return JsonResponse(items, status=error.errors[0].status, safe=False)


@sandbox_endpoint("salesforce", error_body)
def unknown_resource(request: HttpRequest, **kwargs) -> HttpResponse:
    """Any other path under ``services/data/vXX.X/``: Salesforce's NOT_FOUND."""
    return not_found().response()


route = dispatcher(
    "salesforce",
    error_body,
    _not_allowed,
    {SalesforceError: SalesforceError.response, RecordRejected: rejected},
)


@dataclass
class Call:
    """Who calls, in which org, with which API version (``62.0``)."""

    user: SalesforceUser
    org: SalesforceOrg
    version: str


def rest(handler):
    """A REST resource ``handler(request, call, **path) -> HttpResponse``: authenticated and
    counted against the org's daily API requests, its Salesforce errors answered."""

    @wraps(handler)
    def view(request: HttpRequest, version: str, **kwargs) -> HttpResponse:
        user = tokens.authenticate(request).grant.user
        used, limit, allowed = store.count_request(user.org)
        if not allowed:
            response = SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", LIMIT_EXCEEDED).response()
        else:
            try:
                response = handler(request, Call(user, user.org, version), **kwargs)
            except SalesforceError as error:
                response = error.response()
            except RecordRejected as error:
                response = rejected(error)
        response["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"
        return response

    return view


def _no_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


def json_body(request: HttpRequest, kind: type = dict):
    """The request's JSON body, which must be a ``kind`` (object or list); JSON_PARSER_ERROR
    otherwise, as Salesforce's JSON reader answers."""
    if not request.body.strip():
        raise json_error("No content to map due to end-of-input")
    try:
        body = json.loads(request.body, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise json_error(
            f"Unexpected character: {error.msg} at [line:{error.lineno}, column:{error.colno}]"
        ) from None
    except (ValueError, RecursionError) as error:
        raise json_error(f"Unexpected token: {error}"[:300]) from None
    if not isinstance(body, kind):
        token = {list: "START_ARRAY", dict: "START_OBJECT"}.get(type(body), "VALUE_STRING")
        wanted = "object" if kind is dict else "list"
        raise json_error(f"Cannot deserialize instance of {wanted} from {token} value")
    return body


def ok(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False)


def no_content() -> HttpResponse:
    return HttpResponse(status=204)
