"""Gmail API v1 Message resources of sandbox messages, in each ``format``: minimal, full (the
MIME tree as ``payload``), raw (base64url bytes) and metadata (headers only).
https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
"""

from __future__ import annotations

import base64

from . import gmail_mailbox as gm
from .models import GmailMessage

ATTACHMENT_PREFIX = "ANGjdJ"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _attachment_id(gmail_id: str, part_id: str) -> str:
    return ATTACHMENT_PREFIX + b64(f"{gmail_id}/{part_id}".encode()).rstrip("=")


def _part(msg, part_id: str, gmail_id: str) -> dict:
    filename = gm.header_text(msg.get_filename() or "")
    node = {
        "partId": part_id,
        "mimeType": msg.get_content_type(),
        "filename": filename,
        "headers": [{"name": name, "value": gm.header_text(value)} for name, value in msg.items()],
    }
    if msg.is_multipart():
        node["body"] = {"size": 0}
        prefix = f"{part_id}." if part_id else ""
        children = msg.get_payload()
        node["parts"] = [_part(c, f"{prefix}{i}", gmail_id) for i, c in enumerate(children)]
        return node
    data = msg.get_payload(decode=True) or b""
    if filename:
        node["body"] = {"attachmentId": _attachment_id(gmail_id, part_id), "size": len(data)}
    else:
        node["body"] = {"size": len(data), "data": b64(data)} if data else {"size": 0}
    return node


def resource(message: GmailMessage, fmt: str = "minimal", metadata_headers=()) -> dict:
    """The Message resource in a ``format`` (minimal, full, raw or metadata)."""
    answer = {"id": message.gmail_id, "threadId": message.thread_id}
    if message.label_ids:
        answer["labelIds"] = message.label_ids
    answer["snippet"] = message.snippet
    raw = bytes(message.raw)
    if fmt == "full":
        answer["payload"] = _part(gm.parse(raw), "", message.gmail_id)
    elif fmt == "metadata":
        msg = gm.parse(raw)
        wanted = {name.lower() for name in metadata_headers}
        headers = [(n, v) for n, v in msg.items() if not wanted or n.lower() in wanted]
        answer["payload"] = {
            "partId": "",
            "mimeType": msg.get_content_type(),
            "filename": "",
            "headers": [{"name": n, "value": gm.header_text(v)} for n, v in headers],
        }
    answer["sizeEstimate"] = message.size_estimate
    if fmt == "raw":
        answer["raw"] = b64(raw)
    answer["historyId"] = str(message.history_id)
    answer["internalDate"] = str(message.internal_date)
    return answer
