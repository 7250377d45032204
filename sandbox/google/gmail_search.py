"""Gmail's search of a sandbox mailbox: the labelIds, ``q`` and includeSpamTrash of
``messages.list``, as a query over the stored messages.
https://developers.google.com/workspace/gmail/api/guides/filtering

The system labels live here too, with the names the query language gives them; the mailbox
(``gmail_mailbox``) re-exports :data:`SYSTEM_LABELS` and :func:`search`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from .models import GmailMailbox, GmailMessage

CATEGORIES = ("PERSONAL", "SOCIAL", "PROMOTIONS", "UPDATES", "FORUMS")
SYSTEM_LABELS = frozenset(
    {"INBOX", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT", "SENT", "DRAFT", "CHAT"}
    | {f"CATEGORY_{name}" for name in CATEGORIES}
)
# Gmail reads search dates as midnight Pacific time; epoch seconds are exact.
# https://developers.google.com/workspace/gmail/api/guides/filtering
PACIFIC = ZoneInfo("America/Los_Angeles")
# Names that in:, is:, label: and category: accept for system labels.
LABEL_NAMES = {
    **{name.lower(): name for name in SYSTEM_LABELS},
    "drafts": "DRAFT",
    "chats": "CHAT",
    **{name.lower(): f"CATEGORY_{name}" for name in CATEGORIES},
    "primary": "CATEGORY_PERSONAL",
}
_TERM = re.compile(r'(-)?(?:([a-z_0-9]+):)?("[^"]*"|\S+)', re.IGNORECASE)


def has_label(label: str) -> Q:
    """Messages carrying ``label`` (labels are stored space-packed, see ``gmail_mailbox.pack``)."""
    return Q(labels__contains=f" {label} ")


def _date_ms(value: str) -> int | None:
    if value.isdigit():
        return int(value) * 1000
    for layout in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            day = datetime.strptime(value, layout)
        except ValueError:
            continue
        return int(day.replace(tzinfo=PACIFIC).timestamp() * 1000)
    return None


def _term(operator: str, value: str) -> tuple[Q | None, str | None]:
    """One search term's filter (None: ignored, as Gmail ignores what it cannot use) and the
    label it names."""
    if operator == "is" and value.lower() == "read":
        return ~has_label("UNREAD"), None
    if operator == "is" and value.lower() not in ("unread", "starred", "important"):
        return None, None
    if operator in ("in", "is", "label", "category"):
        label = LABEL_NAMES.get(value.lower(), value)
        return has_label(label), label
    if operator == "from":
        return Q(sender__icontains=value), None
    if operator in ("to", "cc", "bcc"):
        return Q(recipients__icontains=value), None
    if operator == "subject":
        return Q(subject__icontains=value), None
    if operator == "rfc822msgid":
        return Q(message_id_header=f"<{value.strip('<>')}>"), None
    if operator == "has" and value == "attachment":
        return Q(has_attachment=True), None
    if operator in ("after", "newer", "before", "older"):
        moment = _date_ms(value)
    elif operator in ("newer_than", "older_than") and re.fullmatch(r"\d+[dmy]", value):
        days = int(value[:-1]) * {"d": 1, "m": 30, "y": 365}[value[-1]]
        moment = int((datetime.now(UTC) - timedelta(days=days)).timestamp() * 1000)
    else:
        moment = None
    if moment is not None:
        newer = operator in ("after", "newer", "newer_than")
        return Q(internal_date__gte=moment) if newer else Q(internal_date__lt=moment), None
    if not operator and value.upper() not in ("OR", "AND"):
        words = Q(subject__icontains=value) | Q(snippet__icontains=value)
        return words | Q(sender__icontains=value), None
    return None, None


def search(
    box: GmailMailbox,
    *,
    label_ids: Iterable[str] = (),
    q: str = "",
    include_spam_trash: bool = False,
) -> QuerySet[GmailMessage]:
    """The messages ``messages.list`` answers, newest first. Supports in:, is:, label:,
    category:, from:, to:, cc:, bcc:, subject:, rfc822msgid:, has:attachment, after:, before:,
    newer_than:, older_than:, bare words and ``-`` negation; other terms are ignored.
    SPAM and TRASH are left out unless asked for by includeSpamTrash, labelIds or the query."""
    found = box.messages.all()
    named = set(label_ids)
    for label in label_ids:
        found = found.filter(has_label(label))
    anywhere = False
    for match in _TERM.finditer(q or ""):
        negated, operator, value = match.group(1), (match.group(2) or "").lower(), match.group(3)
        value = value.strip('"()')
        if operator == "in" and value.lower() == "anywhere":
            anywhere = True
            continue
        condition, label = _term(operator, value) if value else (None, None)
        if condition is None:
            continue
        found = found.exclude(condition) if negated else found.filter(condition)
        if label and not negated:
            named.add(label)
    if not (include_spam_trash or anywhere or named & {"SPAM", "TRASH"}):
        found = found.exclude(has_label("SPAM") | has_label("TRASH"))
    return found
