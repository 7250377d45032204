"""The sandbox's JSON control API, for people under ``make run`` and for other processes.

- ``GET /sandbox/_faults``: the active faults.
- ``POST /sandbox/_faults`` with a JSON object: ``provider``, ``path_regex``, and any of
  ``status``, ``retry_after``, ``delay_ms``, ``times`` (null: forever), ``body``, ``truncate``
  (see :func:`faults.inject`) → 201 with the fault.
- ``DELETE /sandbox/_faults[?provider=]``: remove faults.
- ``GET /sandbox/_calls[?provider=&path=]``: how many calls were logged, and the last
  ``CALLS_SHOWN`` of them (``path``: a substring of the path).
- ``DELETE /sandbox/_calls[?provider=]``: empty the call log.
- ``POST /sandbox/_ping``: a bare view that reads the body and answers 200; the baseline the
  webhook benchmark (bench/webhooks.py) compares the webhook endpoints with.

Not calls of a provider, so they are not logged themselves.
"""

import json

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import faults
from .models import SandboxCall, SandboxFault

FAULT_FIELDS = ("status", "retry_after", "delay_ms", "times", "body", "truncate")
INTEGER_FIELDS = ("status", "retry_after", "delay_ms", "times")
CALLS_SHOWN = 1000


def _fault_json(fault: SandboxFault) -> dict:
    return {
        "id": fault.pk,
        "provider": fault.provider,
        "path_regex": fault.path_regex,
        "status": fault.status,
        "body": fault.body,
        "retry_after": fault.retry_after,
        "delay_ms": fault.delay_ms,
        "truncate": fault.truncate,
        "remaining": fault.remaining,
        "created_at": fault.created_at.isoformat(),
    }


def _call_json(call: SandboxCall) -> dict:
    return {
        "id": call.pk,
        "provider": call.provider,
        "method": call.method,
        "path": call.path,
        "query": call.query,
        "status": call.status,
        "created_at": call.created_at.isoformat(),
    }


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _fault_arguments(data) -> dict:
    """The keyword arguments of faults.inject from a JSON body; ValueError when malformed."""
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    for name in ("provider", "path_regex"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ValueError(f"{name} is required (a string)")
    unknown = set(data) - {"provider", "path_regex", *FAULT_FIELDS}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name in INTEGER_FIELDS:
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be an integer or null")
    if not isinstance(data.get("truncate", False), bool):
        raise ValueError("truncate must be true or false")
    arguments = {name: data[name] for name in FAULT_FIELDS if name in data}
    if arguments.get("delay_ms") is None:
        arguments.pop("delay_ms", None)
    return {"provider": data["provider"], "path_regex": data["path_regex"], **arguments}


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def faults_view(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        try:
            fault = faults.inject(**_fault_arguments(json.loads(request.body or b"null")))
        except ValueError as error:  # json.JSONDecodeError is a ValueError too
            return _bad_request(str(error))
        return JsonResponse(_fault_json(fault), status=201)
    if request.method == "DELETE":
        return JsonResponse({"deleted": faults.clear(request.GET.get("provider"))})
    active = SandboxFault.objects.filter(Q(remaining__isnull=True) | Q(remaining__gt=0))
    return JsonResponse({"faults": [_fault_json(fault) for fault in active]})


@csrf_exempt
@require_http_methods(["GET", "DELETE"])
def calls_view(request: HttpRequest) -> JsonResponse:
    provider = request.GET.get("provider")
    if request.method == "DELETE":
        return JsonResponse({"deleted": faults.clear_calls(provider)})
    logged = faults.calls(provider, request.GET.get("path"))
    shown = reversed(logged.order_by("-id")[:CALLS_SHOWN])
    return JsonResponse({"count": logged.count(), "calls": [_call_json(c) for c in shown]})


@csrf_exempt
@require_http_methods(["POST"])
def ping_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "bytes": len(request.body)})
