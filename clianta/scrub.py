"""Keep secrets out of logs and Sentry.

Two nets: every secret this process has decrypted or encrypted is remembered (bounded) and
replaced by its mask wherever it appears; and values of sensitive-looking keys
(``password=...``, ``"access_token": "..."``, ``Authorization: Bearer ...``, an OAuth callback's
``?code=...&state=...``) are masked even when the secret was never seen here.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any

MIN_SECRET_LENGTH = 6
MAX_REMEMBERED = 10_000
SENSITIVE_KEY = re.compile(
    r"pass(word)?|secret|token|api[_-]?key|authorization|credential|signature|cookie|session",
    re.IGNORECASE,
)
_INLINE = re.compile(
    r"(?P<key>[\"']?\b[\w-]*(?:pass(?:word)?|secret|token|api[_-]?key)[\w-]*[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<value>[^\s\"'&,;}]+)"
    r"|(?P<scheme>\b(?-i:Bearer|Basic|Token)\s+)(?P<cred>[A-Za-z0-9._~+/=-]{6,})",
    re.IGNORECASE,
)

# OAuth's one-time ``code`` and ``state`` in a URL's query string, also percent-encoded (a
# login redirect's ``next=`` carries the callback URL): access logs print request URLs.
_QUERY = re.compile(
    r"(?P<key>(?:[?&]|%(?:25)*3F|%(?:25)*26)(?:code|state)(?:=|%(?:25)*3D))"
    r"(?P<value>(?:(?!%(?:25)*26)[^&\s\"'#])+)",
    re.IGNORECASE,
)

_lock = threading.Lock()
_known: OrderedDict[str, None] = OrderedDict()
_pattern: re.Pattern | None = None


def mask(value: str | None) -> str:
    """What people see instead of a secret: its last 4 characters, when it is long enough."""
    if not value:
        return ""
    return "****" + value[-4:] if len(value) >= 12 else "****"


def remember(secret: str | None) -> None:
    global _pattern
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if secret in _known:
            _known.move_to_end(secret)
            return
        _known[secret] = None
        if len(_known) > MAX_REMEMBERED:
            _known.popitem(last=False)
        _pattern = None


def _known_pattern() -> re.Pattern | None:
    global _pattern
    with _lock:
        if _pattern is None and _known:
            # Longest first, so a secret containing another is masked whole.
            alternatives = sorted(_known, key=len, reverse=True)
            _pattern = re.compile("|".join(map(re.escape, alternatives)))
        return _pattern


def scrub_text(text: str) -> str:
    pattern = _known_pattern()
    if pattern is not None:
        text = pattern.sub(lambda m: mask(m.group(0)), text)

    def inline(m: re.Match) -> str:
        if m.group("key") is not None:
            return m.group("key") + mask(m.group("value"))
        return m.group("scheme") + mask(m.group("cred"))

    return _QUERY.sub(lambda m: m.group("key") + "****", _INLINE.sub(inline, text))


def scrub(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` (str, dict, list, tuple) with secrets masked, recursively."""
    if isinstance(value, str):
        if key is not None and SENSITIVE_KEY.search(key):
            return mask(value)
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)
    return value


#: The attributes every log record has: any other came from the call's ``extra`` (or a filter).
STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}


_PLAIN = (str, int, float, bool, type(None), dict, list, tuple)


class ScrubSecretsFilter(logging.Filter):
    """Masks secrets in a record's message, arguments, traceback and ``extra`` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
            record.exc_info = None
        for name, value in list(vars(record).items()):
            if name not in STANDARD_ATTRS:
                if not isinstance(value, _PLAIN):
                    # An object (Django's request, say) would be written as its repr, query
                    # string included: scrubbed as that text.
                    value = str(value)
                setattr(record, name, scrub(value, name))
        return True


def before_send(event: dict, hint: dict) -> dict:
    return scrub(event)


def before_breadcrumb(crumb: dict, hint: dict) -> dict:
    return scrub(crumb)


def init_sentry(dsn: str, **options: Any):
    """Sentry with the Django and Celery integrations and every event scrubbed."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        **options,
    )
