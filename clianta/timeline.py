"""A contact's (or a company's) timeline: every interaction with them, newest first, in one SQL
query whatever the number of kinds, the page size or the history.

Each app contributes its own kinds without changes here: its AppConfig names them in
``timeline_sources``, dotted paths of :class:`TimelineSource` objects::

    timeline_sources = ("email_accounts.timeline.EMAIL",)

A source turns a workspace and a set of contact ids into a queryset annotated with the common
:data:`COLUMNS` (see :func:`columns`). The core filters each by the cursor, orders and limits it,
then UNION ALLs them and orders the whole by ``(occurred_at, id)``: keyset pagination, no offset.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core import signing
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.module_loading import import_string

from . import events
from .models import CrmEvent, Note, Workspace

#: The columns every source gives, in this order (the UNION needs the same order everywhere).
COLUMNS = (
    "t_at",  # when it happened
    "t_id",  # the source object's id, as text (the tie-breaker of the order)
    "t_kind",
    "t_integration",
    "t_direction",  # "inbound", "outbound" or "" where it has none
    "t_title",  # the first part of the summary
    "t_detail",  # the rest of it
    "t_status",  # delivery status, outcome: "" where none
    "t_ref",  # the id in the source's API URL
)

_CURSOR_SALT = "clianta.timeline.cursor"


def columns(
    queryset: QuerySet,
    *,
    at,
    kind: str,
    integration,
    title,
    detail="",
    direction="",
    status="",
    ref="pk",
) -> QuerySet:
    """``queryset`` reduced to the common columns; each argument is an expression (``F``,
    ``Value``…) or a plain string (a constant), except ``ref``: an expression or a field name."""

    def text(value):
        return Value(value) if isinstance(value, str) else Cast(value, CharField())

    annotated = queryset.annotate(
        t_at=at,
        t_id=Cast("pk", CharField()),
        t_kind=Value(kind),
        t_integration=text(integration),
        t_direction=text(direction),
        t_title=text(title),
        t_detail=text(detail),
        t_status=text(status),
        t_ref=Cast(ref, CharField()),
    )
    return annotated.values(*COLUMNS)


@dataclass(frozen=True)
class TimelineSource:
    """One kind of timeline item. ``rows(workspace, contact_ids)`` returns the workspace's items
    concerning those contacts (``contact_ids`` is a queryset of ids) through :func:`columns`;
    ``url_name`` is the route of the item's API detail (reversed with ``pk=t_ref``)."""

    kind: str
    description: str
    rows: Callable[[Workspace, QuerySet], QuerySet]
    url_name: str


@cache
def sources() -> dict[str, TimelineSource]:
    """Every installed app's timeline sources by kind, in INSTALLED_APPS order."""
    found = {}
    for config in apps.get_app_configs():
        for path in getattr(config, "timeline_sources", ()):
            source = import_string(path)
            found[source.kind] = source
    return found


class BadCursor(ValueError):
    """A cursor this server did not make (changed or made up)."""


def encode_cursor(at: datetime.datetime, item_id: str) -> str:
    return signing.dumps([at.isoformat(), item_id], salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str) -> tuple[datetime.datetime, str]:
    """The ``(occurred_at, id)`` a cursor continues after; :class:`BadCursor` when it was not
    made here."""
    try:
        at, item_id = signing.loads(cursor, salt=_CURSOR_SALT)
        return datetime.datetime.fromisoformat(at), str(item_id)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("This cursor is not valid.") from exc


def page(
    workspace: Workspace,
    contact_ids: QuerySet,
    *,
    kinds: Iterable[str] = (),
    after: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    cursor: tuple[datetime.datetime, str] | None = None,
    size: int,
) -> tuple[list[dict], tuple[datetime.datetime, str] | None]:
    """One page of the timeline, newest first, and the key to continue after it (None on the
    last page). ``after``/``before`` bound ``occurred_at`` (inclusive, exclusive)."""
    chosen = [source for kind, source in sources().items() if not kinds or kind in kinds]
    bounds = Q()
    if after is not None:
        bounds &= Q(t_at__gte=after)
    if before is not None:
        bounds &= Q(t_at__lt=before)
    if cursor is not None:
        at, item_id = cursor
        bounds &= Q(t_at__lt=at) | Q(t_at=at, t_id__lt=item_id)
    parts = [
        source.rows(workspace, contact_ids).filter(bounds).order_by("-t_at", "-t_id")[: size + 1]
        for source in chosen
    ]
    first, *others = parts  # the core's own kind is always there
    rows = list(
        first.union(*others, all=True).order_by("-t_at", "-t_id")[: size + 1] if others else first
    )
    more = len(rows) > size
    rows = rows[:size]
    return rows, ((rows[-1]["t_at"], rows[-1]["t_id"]) if more else None)


def _crm_events(workspace, contact_ids):
    return columns(
        CrmEvent.objects.filter(
            workspace=workspace, contact_id__in=contact_ids, type__in=events.CRM_CHANGES
        ),
        at=F("occurred_at"),
        kind="crm",
        integration="crm",
        title=F("type"),
        detail=Coalesce(KT("data__stage"), Value("")),
        ref=F("contact_id"),
    )


CRM = TimelineSource(
    kind="crm",
    description="The CRM's own events: contact created, deal stage changed, deal won.",
    rows=_crm_events,
    url_name="contact-detail",
)


def _notes(workspace, contact_ids):
    return columns(
        Note.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        at=F("created_at"),
        kind="note",
        integration="crm",
        title=F("body"),
    )


NOTE = TimelineSource(
    kind="note",
    description="Members' notes about the contact.",
    rows=_notes,
    url_name="note-detail",
)
