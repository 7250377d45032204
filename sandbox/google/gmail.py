"""Gmail API v1: profile, watch and stop, messages (list, get, send, modify, trash, untrash, delete,
attachments) and history, under ``/sandbox/google/gmail/v1/users/<userId>/...``.

Shapes, scopes, quota units and errors follow
https://developers.google.com/workspace/gmail/api/reference/rest and the discovery document that
google-api-python-client bundles; the mailbox is the one of the access token's grant
(``gmail_mailbox``). Message resources are rendered in ``gmail_resources``, batches are in
``gmail_batch``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import secrets
from email.utils import format_datetime

from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from . import gmail_mailbox as gm
from . import gmail_push
from .errors import api_error, api_router
from .gmail_resources import ATTACHMENT_PREFIX, b64, resource
from .models import GmailMailbox, GmailMessage
from .tokens import authenticate

SCOPE = "https://www.googleapis.com/auth/gmail."
MAIL = "https://mail.google.com/"
# Scopes that may read bodies; gmail.metadata reads labels and headers only.
BODY_SCOPES = [MAIL, SCOPE + "modify", SCOPE + "readonly"]
READ_SCOPES = [*BODY_SCOPES, SCOPE + "metadata"]
SEND_SCOPES = [MAIL, SCOPE + "modify", SCOPE + "compose", SCOPE + "send"]
MODIFY_SCOPES = [MAIL, SCOPE + "modify"]
DELETE_SCOPES = [MAIL]
FORMATS = ("minimal", "full", "raw", "metadata")
HISTORY_TYPES = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
# Labels a client may not set or clear with modify.
UNSETTABLE_LABELS = {"SENT", "DRAFT", "CHAT"}
DEFAULT_PAGE, MAX_PAGE = 100, 500


class Invalid(Exception):
    """A request Gmail refuses with 400 and this message."""


def _unb64(text: str) -> bytes:
    """base64url, padding optional; raises Invalid."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, TypeError) as error:
        raise Invalid("Invalid value for ByteString") from error


def _token(*numbers: int) -> str:
    return b64(":".join(map(str, numbers)).encode()).rstrip("=")


def _untoken(token: str, count: int) -> list[int]:
    try:
        numbers = [int(part) for part in _unb64(token).decode().split(":")]
    except (Invalid, UnicodeDecodeError, ValueError) as error:
        raise Invalid("Invalid pageToken") from error
    if len(numbers) != count:
        raise Invalid("Invalid pageToken")
    return numbers


def _page_size(request: HttpRequest) -> int:
    value = request.GET.get("maxResults") or str(DEFAULT_PAGE)
    if not value.isdigit() or int(value) < 1:
        raise Invalid(f"Invalid maxResults: {value}")
    return min(int(value), MAX_PAGE)  # Gmail serves at most 500, whatever is asked


def request_bytes(request: HttpRequest) -> bytes:
    """The body, however large (Gmail takes messages up to 35 MB; Django's ``body`` refuses
    more than DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    try:
        return request.body
    except RequestDataTooBig:
        return request.read()


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request_bytes(request) or b"{}")
    except ValueError as error:
        raise Invalid("Invalid JSON payload received.") from error
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON payload received.")
    return body


def _find(box: GmailMailbox, message_id: str) -> GmailMessage:
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", message_id):
        raise Invalid("Invalid id value")
    return box.messages.get(gmail_id=message_id.lower())


def _metadata_only(grant) -> bool:
    return not set(BODY_SCOPES) & set(grant.scope_list)


# Each path's view dispatches on the method and maps Invalid and missing messages to Gmail's
# errors.
_route = api_router(
    {
        Invalid: lambda error: api_error(400, str(error), "invalidArgument"),
        GmailMessage.DoesNotExist: lambda error: api_error(404, reason="notFound"),
    }
)


def gmail_method(scopes: list[str], units: int):
    """Authenticate the call (one of ``scopes``), check userId, charge ``units`` of quota;
    the view gets the mailbox and the grant."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, user_id: str, **kwargs) -> HttpResponse:
            grant = authenticate(request, scopes)
            if isinstance(grant, HttpResponse):
                return grant
            if user_id != "me" and user_id.lower() != grant.email.lower():
                return api_error(403, f"Delegation denied for {grant.email}", "forbidden")
            box = gm.mailbox(grant.email)
            if not gm.charge(box, units):
                # https://developers.google.com/workspace/gmail/api/guides/handle-errors
                response = api_error(429, "User-rate limit exceeded.", "rateLimitExceeded")
                response["Retry-After"] = "1"
                return response
            return view(request, box, grant, **kwargs)

        return wrapper

    return decorate


# Rendering messages


def _labels_json(message: GmailMessage) -> dict:
    answer = {"id": message.gmail_id, "threadId": message.thread_id}
    if message.label_ids:
        answer["labelIds"] = message.label_ids
    return answer


# Methods


@gmail_method(READ_SCOPES, 1)
def _get_profile(request, box, grant):
    return JsonResponse(
        {
            "emailAddress": grant.email,
            "messagesTotal": box.messages.count(),
            "threadsTotal": box.messages.values("thread_id").distinct().count(),
            "historyId": str(box.history_id),
        }
    )


@gmail_method(READ_SCOPES, 5)
def _list_messages(request, box, grant):
    q = request.GET.get("q", "")
    if q and _metadata_only(grant):
        return api_error(403, "Metadata scope does not support 'q' parameter", "forbidden")
    size = _page_size(request)
    found = gm.search(
        box,
        label_ids=request.GET.getlist("labelIds"),
        q=q,
        include_spam_trash=request.GET.get("includeSpamTrash", "").lower() == "true",
    )
    total = found.count()
    page = found.order_by("-internal_date", "-id")
    if request.GET.get("pageToken"):
        date, pk = _untoken(request.GET["pageToken"], 2)
        page = page.filter(Q(internal_date__lt=date) | Q(internal_date=date, pk__lt=pk))
    rows = list(page.values_list("gmail_id", "thread_id", "internal_date", "pk")[: size + 1])
    answer = {}
    if rows:
        answer["messages"] = [{"id": row[0], "threadId": row[1]} for row in rows[:size]]
    if len(rows) > size:
        answer["nextPageToken"] = _token(*rows[size - 1][2:])
    answer["resultSizeEstimate"] = total
    return JsonResponse(answer)


@gmail_method(READ_SCOPES, 5)
def _get_message(request, box, grant, message_id):
    fmt = request.GET.get("format", "full")
    if fmt not in FORMATS:
        raise Invalid(f"Invalid value at 'format' ({fmt})")
    if fmt in ("full", "raw") and _metadata_only(grant):
        return api_error(403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden")
    message = _find(box, message_id)
    return JsonResponse(resource(message, fmt, request.GET.getlist("metadataHeaders")))


@gmail_method(BODY_SCOPES, 5)
def _get_attachment(request, box, grant, message_id, attachment_id):
    message = _find(box, message_id)
    try:
        encoded = attachment_id.removeprefix(ATTACHMENT_PREFIX)
        gmail_id, part_id = _unb64(encoded).decode().split("/")
        part = gm.parse(bytes(message.raw))
        for index in filter(None, part_id.split(".")):
            part = part.get_payload()[int(index)]
    except (Invalid, UnicodeDecodeError, ValueError, IndexError, TypeError) as error:
        raise Invalid("Invalid attachment token") from error
    if gmail_id != message.gmail_id or part.is_multipart():
        raise Invalid("Invalid attachment token")
    data = part.get_payload(decode=True) or b""
    return JsonResponse({"size": len(data), "data": b64(data)})


def _completed(raw: bytes, email: str) -> bytes:
    """The sent message with what Gmail adds when it is missing: Message-ID, Date, From."""
    msg = gm.parse(raw)
    if not any(
        str(value).strip() for name in ("To", "Cc", "Bcc") for value in msg.get_all(name, [])
    ):
        raise Invalid("Recipient address required")
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    added = []
    if not msg["Message-ID"]:
        added.append(f"Message-ID: <{secrets.token_hex(16)}@mail.gmail.com>")
    if not msg["Date"]:
        added.append(f"Date: {format_datetime(timezone.now())}")
    if not msg["From"]:
        added.append(f"From: {email}")
    return b"".join(line.encode() + newline for line in added) + raw


@gmail_method(SEND_SCOPES, 100)
def _send(request, box, grant):
    body = _json_body(request)
    if not isinstance(body.get("raw"), str) or not body["raw"]:
        raise Invalid(
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
        )
    raw = _completed(_unb64(body["raw"]), grant.email)
    thread_id = body.get("threadId") if isinstance(body.get("threadId"), str) else None
    message = gm.store(box, raw, labels=["SENT"], thread_id=thread_id)
    return JsonResponse(_labels_json(message))


def _label_list(body: dict, name: str) -> list[str]:
    labels = body.get(name) or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise Invalid(f"Invalid value at '{name}'")
    for label in labels:
        if label in UNSETTABLE_LABELS or not (
            label in gm.SYSTEM_LABELS or re.fullmatch(r"Label_\d+", label)
        ):
            raise Invalid(f"Invalid label: {label}")
    return labels


@gmail_method(MODIFY_SCOPES, 5)
def _modify(request, box, grant, message_id):
    body = _json_body(request)
    add, remove = _label_list(body, "addLabelIds"), _label_list(body, "removeLabelIds")
    _find(box, message_id)
    return JsonResponse(_labels_json(gm.change_labels(box, message_id.lower(), add, remove)))


@gmail_method(MODIFY_SCOPES, 5)
def _trash(request, box, grant, message_id):
    _find(box, message_id)
    return JsonResponse(_labels_json(gm.change_labels(box, message_id.lower(), ["TRASH"])))


@gmail_method(MODIFY_SCOPES, 5)
def _untrash(request, box, grant, message_id):
    _find(box, message_id)
    return JsonResponse(_labels_json(gm.change_labels(box, message_id.lower(), (), ["TRASH"])))


@gmail_method(DELETE_SCOPES, 10)
def _delete(request, box, grant, message_id):
    gm.erase(box, _find(box, message_id).gmail_id)
    return HttpResponse(status=204)


def _history_json(record, types: set[str]) -> dict:
    ref = {"id": record.gmail_id, "threadId": record.thread_id}
    full = {**ref, "labelIds": record.labels.split()} if record.labels.strip() else ref
    entry = {"id": str(record.history_id), "messages": [ref]}
    if record.message_added and "messageAdded" in types:
        entry["messagesAdded"] = [{"message": full}]
    if record.message_deleted and "messageDeleted" in types:
        entry["messagesDeleted"] = [{"message": ref}]
    if record.labels_added.strip() and "labelAdded" in types:
        entry["labelsAdded"] = [{"message": full, "labelIds": record.labels_added.split()}]
    if record.labels_removed.strip() and "labelRemoved" in types:
        entry["labelsRemoved"] = [{"message": full, "labelIds": record.labels_removed.split()}]
    return entry


@gmail_method(READ_SCOPES, 2)
def _list_history(request, box, grant):
    start = request.GET.get("startHistoryId", "")
    if not start:
        raise Invalid("Missing required field: startHistoryId")
    if not start.isdigit():
        raise Invalid(f"Invalid startHistoryId: {start}")
    if int(start) < box.history_kept_from:
        return api_error(404, reason="notFound")
    types = set(request.GET.getlist("historyTypes")) or set(HISTORY_TYPES)
    if not types <= set(HISTORY_TYPES):
        raise Invalid(f"Invalid historyTypes: {', '.join(sorted(types - set(HISTORY_TYPES)))}")
    size = _page_size(request)
    after = int(start)
    if request.GET.get("pageToken"):
        after = max(after, _untoken(request.GET["pageToken"], 1)[0])
    records = box.history.filter(history_id__gt=after)
    label = request.GET.get("labelId")
    if label:
        packed = f" {label} "
        records = records.filter(
            Q(labels__contains=packed)
            | Q(labels_added__contains=packed)
            | Q(labels_removed__contains=packed)
        )
    kinds = {
        "messageAdded": Q(message_added=True),
        "messageDeleted": Q(message_deleted=True),
        "labelAdded": ~Q(labels_added=" "),
        "labelRemoved": ~Q(labels_removed=" "),
    }
    records = records.filter(functools.reduce(lambda a, b: a | b, (kinds[t] for t in types)))
    rows = list(records.order_by("history_id")[: size + 1])
    answer = {}
    if rows:
        answer["history"] = [_history_json(record, types) for record in rows[:size]]
    if len(rows) > size:
        answer["nextPageToken"] = _token(rows[size - 1].history_id)
    answer["historyId"] = str(box.history_id)
    return JsonResponse(answer)


@gmail_method(READ_SCOPES, 100)
def _watch(request, box, grant):
    try:
        return JsonResponse(gmail_push.watch(box, _json_body(request)))
    except gmail_push.InvalidWatch as error:
        raise Invalid(str(error)) from error


@gmail_method(READ_SCOPES, 50)
def _stop(request, box, grant):
    gmail_push.stop(box)
    return HttpResponse(status=204)


profile_view = _route(GET=_get_profile)
watch_view = _route(POST=_watch)
stop_view = _route(POST=_stop)
messages_view = _route(GET=_list_messages)
send_view = _route(POST=_send)
message_view = _route(GET=_get_message, DELETE=_delete)
modify_view = _route(POST=_modify)
trash_view = _route(POST=_trash)
untrash_view = _route(POST=_untrash)
attachment_view = _route(GET=_get_attachment)
history_view = _route(GET=_list_history)
