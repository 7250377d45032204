"""What the fake OAuth servers (Google, Notion, Slack) share: reading and checking client
credentials without leaking timing, and building the redirect back to the client."""

import base64
import binascii
import hmac
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest


def same(given: str, expected: str) -> bool:
    """Constant-time equality; an empty ``expected`` (client not configured) matches nothing."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query (empty values left out)."""
    parts = urlsplit(url)
    added = urlencode({name: value for name, value in params.items() if value})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))


def basic_credentials(request: HttpRequest) -> tuple[str, str]:
    """The client id and secret of an HTTP Basic ``Authorization`` header ("", "" if none)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
