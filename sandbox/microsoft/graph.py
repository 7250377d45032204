"""Microsoft Graph v1.0 mail calls, under ``/sandbox/microsoft/graph/v1.0/``: ``/me``, the mail
folders' delta query, messages (JSON and ``$value`` MIME), a message search by Internet
message id, and ``/me/sendMail``.

Delta (https://learn.microsoft.com/graph/delta-query-messages): pages follow
``@odata.nextLink`` until one carries ``@odata.deltaLink`` (never both); page size from
``Prefer: odata.maxpagesize``; deletions as ``@removed``; a token the mailbox no longer keeps
(or never issued) answers 410 Gone. Tokens are positions in the mailbox's change sequence.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from email.message import EmailMessage

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from sandbox.faults import sandbox_endpoint

from . import mail
from . import subscriptions as subs
from .models import OutlookMessage
from .tokens import authenticate, graph_error, graph_error_body, object_id

DEFAULT_PAGE, MAX_PAGE = 10, 1000
_MAX_PAGE_SIZE = re.compile(r"odata\.maxpagesize=(\d+)")
_BY_MESSAGE_ID = re.compile(r"^internetMessageId eq '((?:[^']|'')*)'$")


def _graph(view):
    """Authenticate the call and hand the view the mailbox; log it and apply faults."""

    @sandbox_endpoint("microsoft", graph_error_body)
    def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
        grant = authenticate(request)
        if isinstance(grant, HttpResponse):
            return grant
        try:
            return view(request, mail.mailbox(grant.email), **kwargs)
        except OutlookMessage.DoesNotExist:
            return graph_error(404, "ErrorItemNotFound", "The specified object was not found.")

    return wrapper


@_graph
@require_GET
def me(request, box):
    return JsonResponse(
        {
            "@odata.context": _base(request) + "/$metadata#users/$entity",
            "id": object_id(box.email),
            "displayName": box.display_name or box.email.split("@")[0],
            "mail": box.email,
            "userPrincipalName": box.email,
        }
    )


def _base(request: HttpRequest) -> str:
    path = request.path
    return request.build_absolute_uri(path[: path.index("/v1.0/") + len("/v1.0")])


def _folder(name: str) -> str | None:
    name = name.lower()
    return name if name in mail.FOLDERS else None


def _encode(*numbers: int) -> str:
    return base64.urlsafe_b64encode(".".join(map(str, numbers)).encode()).rstrip(b"=").decode()


def _decode(token: str, count: int) -> list[int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        numbers = [int(part) for part in raw.split(".")]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return numbers if len(numbers) == count else None


def _page_size(request: HttpRequest) -> int:
    found = _MAX_PAGE_SIZE.search(request.headers.get("Prefer", ""))
    return min(max(int(found.group(1)), 1), MAX_PAGE) if found else DEFAULT_PAGE


def _gone() -> JsonResponse:
    return graph_error(410, "SyncStateNotFound", "The sync state generation is not found.")


@_graph
@require_GET
def delta(request, box, folder):
    """``/me/mailFolders/{id}/messages/delta``: one round of changes since the token, or the
    whole folder on the first round."""
    folder = _folder(folder)
    if folder is None:
        return graph_error(404, "ErrorItemNotFound", "The specified folder was not found.")
    # state: (changes after ``since`` are reported, listing resumes after ``after``, the
    # round ends at ``until``); ``issued``: the sequence number the token was handed out at.
    if "$deltatoken" in request.GET:
        token = _decode(request.GET["$deltatoken"], 1)
        state = token and [token[0], token[0], box.change_seq]
        issued = token and token[0]
    elif "$skiptoken" in request.GET:
        state = _decode(request.GET["$skiptoken"], 3)
        issued = state and state[2]
    else:
        state, issued = [0, 0, box.change_seq], box.change_seq
    if state is None or issued < box.delta_floor or issued > box.change_seq:
        return _gone()
    since, after, until = state
    rows = box.messages.filter(folder=folder, seq__gt=after, seq__lte=until)
    if since == 0:
        rows = rows.filter(deleted=False)  # the first round lists what is there
    size = _page_size(request)
    rows = list(rows.order_by("seq")[: size + 1])
    value = [
        {
            "@odata.type": "#microsoft.graph.message",
            "id": row.graph_id,
            "@removed": {"reason": "deleted"},
        }
        if row.deleted
        else mail.resource(row)
        for row in rows[:size]
    ]
    link = request.build_absolute_uri(request.path)
    answer = {"@odata.context": _base(request) + "/$metadata#Collection(message)", "value": value}
    if len(rows) > size:
        answer["@odata.nextLink"] = f"{link}?$skiptoken={_encode(since, rows[size - 1].seq, until)}"
    else:
        answer["@odata.deltaLink"] = f"{link}?$deltatoken={_encode(until)}"
    response = JsonResponse(answer)
    if "odata.maxpagesize" in request.headers.get("Prefer", ""):
        response["Preference-Applied"] = f"odata.maxpagesize={size}"
    return response


@_graph
@require_GET
def folder_messages(request, box, folder):
    """``/me/mailFolders/{id}/messages``, with the one filter used here: by Internet message id."""
    folder = _folder(folder)
    if folder is None:
        return graph_error(404, "ErrorItemNotFound", "The specified folder was not found.")
    rows = box.messages.filter(folder=folder, deleted=False).order_by("-received_at", "-seq")
    query = request.GET.get("$filter", "")
    if query:
        found = _BY_MESSAGE_ID.match(query.strip())
        if found is None:
            return graph_error(400, "ErrorInvalidUrlQueryFilter", "The filter is not supported.")
        rows = rows.filter(internet_message_id=found.group(1).replace("''", "'"))
    top = request.GET.get("$top", str(DEFAULT_PAGE))
    if not top.isdigit():
        return graph_error(400, "BadRequest", f"Invalid $top value: {top}")
    return JsonResponse({"value": [mail.resource(row) for row in rows[: int(top)]]})


@_graph
@require_GET
def message(request, box, message_id):
    return JsonResponse(mail.resource(box.messages.get(graph_id=message_id, deleted=False)))


@_graph
@require_GET
def message_value(request, box, message_id):
    """``/me/messages/{id}/$value``: the message's MIME content."""
    found = box.messages.get(graph_id=message_id, deleted=False)
    return HttpResponse(bytes(found.mime), content_type="text/plain")


def _from_json(box, body: dict) -> bytes | None:
    """A sendMail JSON message as MIME (subject, body, recipients, x- headers)."""
    message = body.get("message")
    if not isinstance(message, dict):
        return None
    built = EmailMessage()
    built["From"] = box.email
    for field, header in (("toRecipients", "To"), ("ccRecipients", "Cc")):
        addresses = [r.get("emailAddress", {}).get("address", "") for r in message.get(field) or []]
        if any(addresses):
            built[header] = ", ".join(filter(None, addresses))
    built["Subject"] = message.get("subject", "")
    for header in message.get("internetMessageHeaders") or []:
        built[header.get("name", "X-Unnamed")] = header.get("value", "")
    content = message.get("body") or {}
    subtype = "html" if str(content.get("contentType", "")).lower() == "html" else "plain"
    built.set_content(content.get("content", ""), subtype=subtype)
    return built.as_bytes()


@_graph
@require_POST
def send_mail(request, box):
    """``/me/sendMail``: base64 MIME (text/plain) or JSON; 202 with no body."""
    save = True
    if request.content_type == "text/plain":
        try:
            raw = base64.b64decode(request.body, validate=False)
        except binascii.Error:
            raw = b""
        if not raw:
            return graph_error(
                400,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            )
    else:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return graph_error(400, "BadRequest", "Unable to read JSON request payload.")
        raw = _from_json(box, body) if isinstance(body, dict) else None
        if raw is None:
            return graph_error(400, "ErrorInvalidRequest", "The message is missing.")
        save = body.get("saveToSentItems", True) is not False
    if not mail.recipients(raw):
        return graph_error(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
    mail.send(box.email, raw, save_to_sent=save)
    return HttpResponse(status=202)


@_graph
def subscriptions(request, box):
    """POST /subscriptions: see ``subscriptions``."""
    return subs.subscriptions_view(request, box)


@_graph
def subscription(request, box, subscription_id):
    """GET, PATCH and DELETE /subscriptions/{id}."""
    return subs.subscription_view(request, box, subscription_id)
