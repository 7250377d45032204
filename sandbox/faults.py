"""The call log and fault injection shared by every fake provider.

Each sandbox view is wrapped by :func:`sandbox_endpoint`, which records the call and applies the
first active fault whose regex matches the request path. Tests in the same process use
:func:`inject`, :func:`clear`, :func:`calls` and :func:`clear_calls`; other processes and people
under ``make run`` use the JSON control API in ``sandbox.control``, which calls the same functions.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import SandboxCall, SandboxFault

ErrorBody = Callable[[int], dict[str, Any]]
logger = logging.getLogger("sandbox")
PUSH_TIMEOUT = 10


def sandbox_endpoint(provider: str, error_body: ErrorBody):
    """Decorate a view that plays ``provider``'s side of the wire.

    ``error_body(status)`` builds the provider's usual error body for that endpoint: a fault with a
    status and no body of its own answers with it. The view is CSRF-exempt, as any provider's
    endpoint is to its callers.
    """

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            fault = take(provider, request.path)
            if fault is None:
                response = view(request, *args, **kwargs)
            else:
                response = _apply(fault, error_body, lambda: view(request, *args, **kwargs))
            SandboxCall.objects.create(
                provider=provider,
                method=request.method,
                path=request.path[:500],
                query=request.META.get("QUERY_STRING", ""),
                status=response.status_code,
            )
            if fault is not None and fault.delay_ms:
                # The wait comes after the work, as when a provider's answer is slow to arrive:
                # a client that times out has still had its request carried out, and nothing
                # touches the database after it gave up (its test may have ended by then).
                time.sleep(fault.delay_ms / 1000)
            return response

        return wrapper

    return decorate


def take(provider: str, path: str) -> SandboxFault | None:
    """The first active matching fault, with one use consumed; None when no fault applies.
    Also for what a provider sends rather than answers (its pushes), under a path of its own."""
    active = SandboxFault.objects.filter(provider=provider).filter(
        Q(remaining__isnull=True) | Q(remaining__gt=0)
    )
    for fault in active.order_by("id"):
        if not re.search(fault.path_regex, path):
            continue
        if fault.remaining is None:
            return fault
        # A conditional UPDATE: of concurrent requests racing for the last use, only one gets
        # a row count of 1 (PostgreSQL re-checks the WHERE after the competing update commits).
        taken = SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
        if taken:
            return fault
    return None


def _apply(fault: SandboxFault, error_body: ErrorBody, answer: Callable[[], HttpResponse]):
    """The fault's answer in place of (status) or made from (truncate) the real one."""
    if fault.status:
        body = fault.body if fault.body is not None else error_body(fault.status)
        response = JsonResponse(body, status=fault.status, safe=False)
        if fault.retry_after is not None:
            response["Retry-After"] = str(fault.retry_after)
        return response
    response = answer()
    if fault.truncate:
        return HttpResponse(
            response.content[: len(response.content) // 2],
            status=200,
            content_type=response.get("Content-Type", "application/json"),
        )
    return response


def inject(
    provider: str,
    path_regex: str,
    *,
    status: int | None = None,
    retry_after: int | None = None,
    delay_ms: int = 0,
    times: int | None = 1,
    body: Any = None,
    truncate: bool = False,
) -> SandboxFault:
    """Make the next ``times`` requests (None: all) of ``provider`` whose path matches fail.

    With ``status``: answer it, with ``body`` or the provider's usual error body, and
    ``Retry-After: retry_after`` when given. With ``truncate``: answer 200 with the first half of
    the real body. ``delay_ms`` holds the answer back; alone, it only slows the real answer.
    Raises ValueError for a fault that would do nothing or contradicts itself.
    """
    try:
        re.compile(path_regex)
    except re.error as error:
        raise ValueError(f"path_regex is not a valid regular expression: {error}") from error
    if status is not None and not 100 <= status <= 599:
        raise ValueError("status must be an HTTP status between 100 and 599")
    if status is not None and truncate:
        raise ValueError("a fault either answers a status or truncates the real answer, not both")
    if (body is not None or retry_after is not None) and status is None:
        raise ValueError("body and retry_after need a status")
    if status is None and not truncate and not delay_ms:
        raise ValueError("a fault needs a status, truncate or delay_ms")
    if times is not None and times < 1:
        raise ValueError("times must be at least 1, or None for forever")
    if delay_ms < 0 or (retry_after is not None and retry_after < 0):
        raise ValueError("delay_ms and retry_after cannot be negative")
    return SandboxFault.objects.create(
        provider=provider,
        path_regex=path_regex,
        status=status,
        body=body,
        retry_after=retry_after,
        delay_ms=delay_ms,
        truncate=truncate,
        remaining=times,
    )


@dataclass(frozen=True)
class Push:
    """Something a provider sends rather than answers: a POST to ``url`` (with ``request``'s
    keyword arguments for requests.post), which the faults matching ``fault_path`` drop (a
    status) or hold back (``delay_ms``)."""

    fault_path: str
    url: str
    request: dict = field(default_factory=dict)


def push_later(provider: str, pushes: list[Push]) -> None:
    """Send ``pushes`` in order from a thread of their own, as a provider calls its subscribers
    after the change that caused them, whatever its own request is doing."""
    if pushes:
        threading.Thread(target=_push_all, args=(provider, pushes), daemon=True).start()


def _push_all(provider: str, pushes: list[Push]) -> None:
    try:
        for push in pushes:
            fault = take(provider, push.fault_path)
            if fault is not None and fault.status:
                continue  # dropped, as a provider may drop a notification
            if fault is not None and fault.delay_ms:
                time.sleep(fault.delay_ms / 1000)
            try:
                requests.post(push.url, timeout=PUSH_TIMEOUT, **push.request)
            except requests.RequestException as error:
                logger.info(
                    "sandbox.push_failed", extra={"provider": provider, "reason": str(error)}
                )
    finally:
        connection.close()  # the thread's own connection


def clear(provider: str | None = None) -> int:
    """Remove every fault (of one provider, when given); returns how many were removed."""
    faults = SandboxFault.objects.all()
    if provider:
        faults = faults.filter(provider=provider)
    return faults.delete()[0]


def calls(provider: str | None = None, path_contains: str | None = None) -> QuerySet[SandboxCall]:
    """The logged calls, oldest first; ``.count()`` them to assert how many requests were made."""
    logged = SandboxCall.objects.all()
    if provider:
        logged = logged.filter(provider=provider)
    if path_contains:
        logged = logged.filter(path__contains=path_contains)
    return logged.order_by("id")


def clear_calls(provider: str | None = None) -> int:
    """Empty the call log (of one provider, when given); returns how many calls were removed."""
    return calls(provider).delete()[0]
