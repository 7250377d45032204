"""Apollo.io REST API v1 under ``/sandbox/apollo/api/v1/`` (APOLLO_BASE_URL): people and
organization enrichment, single and bulk, API usage stats and the poll of phone results.

Shapes, statuses and error bodies follow https://docs.apollo.io/reference (people-enrichment,
bulk-people-enrichment, organization-enrichment, bulk-organization-enrichment,
view-api-usage-stats, poll-webhook-result, rate-limits). The key goes in the ``x-api-key``
header only, as the reference documents; a missing or unknown key answers 401 with Apollo's
plain-text message. Every authenticated answer carries the rate-limit headers; a full window
answers 429 with ``Retry-After``. State lives in ``store``.
"""

from __future__ import annotations

import functools
import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sandbox.faults import sandbox_endpoint

from . import directory as ad
from . import render, store
from .models import ApolloAccount, ApolloPerson, ApolloPhoneRequest

UNAUTHORIZED = (
    "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate."
)
UPGRADE = "Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
WEBHOOK_REQUIRED = "Please add a valid 'webhook_url' parameter when using 'reveal_phone_number'"
MAX_BULK = 10
MAX_REQUEST_ID = 2**63


class Invalid(Exception):
    """A request Apollo refuses with this status and JSON body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status, self.body = status, body


def _bulk_error(code: str, message: str) -> Invalid:
    return Invalid(400, {"status": "failed", "error_code": code, "error_message": message})


def _error_body(endpoint: str):
    """Apollo's usual body for a status of this endpoint, for injected faults."""

    def body(status: int) -> dict:
        if status == 429:
            message = f"The maximum number of api calls allowed for api/v1/{endpoint} is reached."
            return {"message": f"{message} {UPGRADE}"}
        if status == 401:
            return {"error": UNAUTHORIZED}
        try:
            return {"error": HTTPStatus(status).phrase}
        except ValueError:
            return {"error": f"Error {status}"}

    return body


def _flag(value) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1")


def _params(request: HttpRequest) -> dict:
    """Query parameters (``name[]`` as lists) overlaid with the JSON or form body."""
    params: dict = {}
    for key in request.GET:
        values = request.GET.getlist(key)
        if key.endswith("[]"):
            params[key[:-2]] = values
        else:
            params[key] = values[-1]
    if request.content_type == "application/x-www-form-urlencoded":
        params.update(request.POST.dict())
    elif request.body.strip():
        try:
            body = json.loads(request.body)
        except ValueError as error:
            raise Invalid(400, {"error": "The request body is not valid JSON."}) from error
        if isinstance(body, dict):
            params.update(body)
    return params


def _endpoint(name: str, *methods: str):
    """A view of Apollo endpoint ``name``: logged and faulted (sandbox_endpoint), then the key,
    the rate limits, the handler ``(request, account, params, **kwargs)``, the headers."""

    def decorate(handler):
        @sandbox_endpoint("apollo", _error_body(name))
        @functools.wraps(handler)
        def view(request: HttpRequest, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = JsonResponse({"error": "Method Not Allowed"}, status=405)
                response["Allow"] = ", ".join(methods)
                return response
            account = store.account_for(request.headers.get("X-Api-Key", "").strip())
            if account is None:
                return HttpResponse(UNAUTHORIZED, status=401, content_type="text/plain")
            usage = store.take(account, name)
            if usage.exceeded:
                times = f"{usage.limits[usage.exceeded]} times per {usage.exceeded}"
                message = f"The maximum number of api calls allowed for api/v1/{name} is {times}."
                response = JsonResponse({"message": f"{message} {UPGRADE}"}, status=429)
                response["Retry-After"] = str(usage.retry_after)
            else:
                try:
                    response = handler(request, account, _params(request), **kwargs)
                except Invalid as error:
                    response = JsonResponse(error.body, status=error.status)
            for header, value in usage.headers().items():
                response[header] = value
            return response

        return view

    return decorate


def _phones(account: ApolloAccount, params: dict, people: list[ApolloPerson], requested: int):
    """Queue the phone reveal of the people found; (request id, its credits): 8 per person
    with a mobile number. Apollo answers now and POSTs the numbers to the webhook later."""
    mobiles = sum(1 for who in people if any(n.get("type") == "mobile" for n in who.phone_numbers))
    credits = store.MOBILE_CREDITS * mobiles
    result = render.phone_result(people, requested, credits)
    queued = store.queue_phone_request(account, str(params["webhook_url"]), result)
    return queued.request_id, credits


def _check_phone_params(params: dict) -> bool:
    reveal = _flag(params.get("reveal_phone_number"))
    if reveal and not str(params.get("webhook_url") or "").strip():
        raise Invalid(400, {"error": WEBHOOK_REQUIRED})
    return reveal


@_endpoint("people/match", "POST")
def people_match(request, account, params):
    reveal_phone = _check_phone_params(params)
    ad.ensure()
    person = ad.match_person(params)
    personal = _flag(params.get("reveal_personal_emails"))
    body = {"person": render.person(person, personal_emails=personal) if person else None}
    credits = store.PERSON_CREDITS if person else 0
    if reveal_phone:
        body["request_id"], phone_credits = _phones(account, params, [person] if person else [], 1)
        credits += phone_credits
    store.charge(account, credits)
    return JsonResponse(body)


@_endpoint("people/bulk_match", "POST")
def people_bulk_match(request, account, params):
    details = params.get("details")
    if not isinstance(details, list) or not details:
        raise _bulk_error("INVALID_REQUEST", "invalid request, missing details")
    if len(details) > MAX_BULK:
        raise _bulk_error("RECORD_LIMIT_EXCEEDED", "cannot enrich more than 10 in a single request")
    reveal_phone = _check_phone_params(params)
    ad.ensure()
    found = [ad.match_person(detail) if isinstance(detail, dict) else None for detail in details]
    unique = list({who.pk: who for who in found if who is not None}.values())
    personal = _flag(params.get("reveal_personal_emails"))
    credits = store.PERSON_CREDITS * len(unique)
    body = {
        "status": "success",
        "error_code": None,
        "error_message": None,
        "total_requested_enrichments": len(details),
        "unique_enriched_records": len(unique),
        "missing_records": sum(1 for who in found if who is None),
        "credits_consumed": credits,
        "matches": [render.person(who, personal_emails=personal) if who else None for who in found],
    }
    if reveal_phone:
        body["request_id"], phone_credits = _phones(account, params, unique, len(details))
        credits += phone_credits
    store.charge(account, credits)
    return JsonResponse(body)


@_endpoint("organizations/enrich", "GET", "POST")
def organizations_enrich(request, account, params):
    if not any(params.get(key) for key in ("domain", "website", "linkedin_url", "name")):
        raise Invalid(422, {"error": "Required parameter 'domain' missing"})
    ad.ensure()
    org = ad.find_organization(params)
    if org is None:
        return JsonResponse({})
    store.charge(account, store.ORGANIZATION_CREDITS)
    return JsonResponse({"organization": render.organization(org)})


@_endpoint("organizations/bulk_enrich", "POST")
def organizations_bulk_enrich(request, account, params):
    details = params.get("details")
    by_domain = not (isinstance(details, list) and details)
    if by_domain:  # domains[] in the query (or "domains" in the body, as older clients send)
        domains = params.get("domains") or []
        domains = [domains] if isinstance(domains, str) else domains
        details = [{"domain": domain} for domain in domains if isinstance(domain, str) and domain]
    if not details:
        raise _bulk_error("INVALID_REQUEST", "invalid request, missing domains")
    if len(details) > MAX_BULK:
        raise _bulk_error("RECORD_LIMIT_EXCEEDED", "domain count cannot be more than 10")
    ad.ensure()
    found = [ad.find_organization(d) if isinstance(d, dict) else None for d in details]
    unique = list({org.pk: org for org in found if org is not None}.values())
    store.charge(account, store.ORGANIZATION_CREDITS * len(unique))
    distinct = len({ad.clean_domain(d["domain"]) for d in details}) if by_domain else None
    return JsonResponse(
        {
            "status": "success",
            "error_code": None,
            "error_message": None,
            "total_requested_records": None if by_domain else len(details),
            "total_requested_domains": len(details) if by_domain else None,
            "unique_domains": distinct,
            "unique_records": None if by_domain else len(details),
            "unique_enriched_records": len(unique),
            "missing_records": sum(1 for org in found if org is None),
            "organizations": [render.organization(org) for org in unique],
        }
    )


@_endpoint("usage_stats/api_usage_stats", "POST")
def api_usage_stats(request, account, params):
    return JsonResponse(store.usage_stats(account))


@_endpoint("webhook_result", "GET")
def webhook_result(request, account, params, request_id: str):
    try:
        number = int(request_id)
        if not -MAX_REQUEST_ID <= number < MAX_REQUEST_ID:
            raise ValueError(request_id)
    except ValueError as error:
        raise Invalid(400, {"error_code": "invalid_request_id"}) from error
    queued = ApolloPhoneRequest.objects.filter(request_id=number, account=account).first()
    if queued is None:
        raise Invalid(404, {"error_code": "request_id_unknown"})
    dispatched = queued.last_dispatched_at
    return JsonResponse(
        {
            "request_id": str(number),
            "webhook_status": queued.status,
            "request_type": "phone",
            "last_dispatched_at": dispatched.strftime("%Y-%m-%dT%H:%M:%SZ") if dispatched else None,
            "failure_reason": queued.failure_reason or None,
            "webhook_result": queued.result,
        }
    )


@csrf_exempt
@require_POST
def deliver_webhooks_view(request: HttpRequest) -> JsonResponse:
    """Control API (not Apollo's): send the phone results waiting for their webhooks now."""
    return JsonResponse({"delivered": store.deliver_webhooks()})
