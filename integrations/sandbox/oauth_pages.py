"""What the fake OAuth servers (Google, Notion, Slack) share: checking a client secret or id
without leaking timing, and building the redirect back to the client."""

import hmac
from urllib.parse import urlencode, urlsplit, urlunsplit


def same(given: str, expected: str) -> bool:
    """Constant-time equality; an empty ``expected`` (client not configured) matches nothing."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query (empty values left out)."""
    parts = urlsplit(url)
    added = urlencode({name: value for name, value in params.items() if value})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))
