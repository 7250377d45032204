"""Gmail's batch endpoint, ``POST /batch/gmail/v1``: up to 100 calls in one multipart/mixed
request, each part an ``application/http`` request, answered by one multipart/mixed response
whose parts carry ``Content-ID: <response-ID>`` and the inner HTTP response.
https://developers.google.com/workspace/gmail/api/guides/batch

Each inner call runs through the same sandbox view in this process, so it is authenticated,
billed, logged and subject to faults on its own (Google bills every inner call); the outer call
is logged too. A part without an Authorization header uses the outer request's.
"""

from __future__ import annotations

import secrets
from email import policy
from email.message import Message
from email.parser import BytesParser

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from sandbox.faults import sandbox_endpoint

from .errors import api_error, api_error_body
from .gmail import request_bytes

MAX_CALLS = 100
BATCH_PATH = "batch/gmail/v1"
SKIPPED_HEADERS = {"content-type", "content-length", "host", "mime-version"}


def _parse(data: bytes) -> Message:
    return BytesParser(policy=policy.compat32).parsebytes(data)


@sandbox_endpoint("google", api_error_body)
def batch(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return api_error(405, "Method Not Allowed")
    content_type = request.headers.get("Content-Type", "")
    if not content_type.lower().startswith("multipart/mixed"):
        return api_error(400, "Batch requests must be multipart/mixed.", "badRequest")
    envelope = _parse(f"Content-Type: {content_type}\r\n\r\n".encode() + request_bytes(request))
    parts = envelope.get_payload() if envelope.is_multipart() else []
    if not parts:
        return api_error(400, "The batch request has no parts.", "badRequest")
    if len(parts) > MAX_CALLS:
        return api_error(
            400, f"A batch may hold at most {MAX_CALLS} calls; it has {len(parts)}.", "badRequest"
        )
    boundary = f"batch_{secrets.token_urlsafe(18)}"
    chunks = [f"--{boundary}\r\n".encode() + _answer(request, part) for part in parts]
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return HttpResponse(body, content_type=f"multipart/mixed; boundary={boundary}")


def _answer(outer: HttpRequest, part: Message) -> bytes:
    """One response part: the inner call's status line, headers and body."""
    response = _call(outer, part.get_payload(decode=True) or b"")
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    head = ["Content-Type: application/http"]
    if content_id:
        head.append(f"Content-ID: <response-{content_id}>")
    lines = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    lines += [
        f"{name}: {response[name]}"
        for name in ("Content-Type", "Retry-After", "WWW-Authenticate")
        if response.has_header(name)
    ]
    lines.append(f"Content-Length: {len(response.content)}")
    inner = "\r\n".join(lines).encode() + b"\r\n\r\n" + response.content
    return "\r\n".join(head).encode() + b"\r\n\r\n" + inner + b"\r\n"


def _call(outer: HttpRequest, payload: bytes) -> HttpResponse:
    """Run one ``METHOD /path?query HTTP/1.1`` request through the Gmail view it names."""
    request_line, _, rest = payload.lstrip(b"\r\n").partition(b"\n")
    try:
        method, target, _version = request_line.decode("latin-1").strip().split(" ", 2)
    except ValueError:
        return api_error(400, "Invalid inner request line.", "badRequest")
    inner = _parse(rest)
    # The client sends the full path of the URL it would call (real Gmail: /gmail/v1/...);
    # both mean the Gmail API next to this batch endpoint.
    root_path = outer.path.removesuffix(BATCH_PATH)
    root_info = outer.path_info.removesuffix(BATCH_PATH)
    path, _, query = target.partition("?")
    path = path.removeprefix(root_path) if path.startswith(root_path) else path.lstrip("/")
    headers = {name: value for name, value in inner.items() if name.lower() not in SKIPPED_HEADERS}
    outer_auth = outer.headers.get("Authorization")
    if outer_auth and not any(name.lower() == "authorization" for name in headers):
        headers["Authorization"] = outer_auth
    extra = {"HTTP_HOST": outer.META["HTTP_HOST"]} if "HTTP_HOST" in outer.META else {}
    request = RequestFactory().generic(
        method.upper(),
        root_info + path + (f"?{query}" if query else ""),
        data=inner.get_payload(decode=True) or b"",
        content_type=inner.get_content_type(),
        secure=outer.is_secure(),
        headers=headers,
        **extra,
    )
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is None or not (match.url_name or "").startswith("gmail-") or match.func is batch:
        return api_error(404, reason="notFound")
    return match.func(request, *match.args, **match.kwargs)
