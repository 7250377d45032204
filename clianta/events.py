"""CRM events that integrations react to (Slack notifications), as one Django signal.

Apps call :func:`emit` where the event happens; receivers run after the surrounding transaction
commits, so a rolled-back write raises nothing and a receiver never sees uncommitted rows.
Receivers must be quick (queue a Celery task): they run in the request or task that caused
the event.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal

CONTACT_CREATED = "contact.created"
DEAL_STAGE_CHANGED = "deal.stage_changed"
DEAL_WON = "deal.won"
EMAIL_RECEIVED = "email.received"
SMS_RECEIVED = "sms.received"

EVENT_TYPES = {
    CONTACT_CREATED: "Contact created",
    DEAL_STAGE_CHANGED: "Deal stage changed",
    DEAL_WON: "Deal won",
    EMAIL_RECEIVED: "Email received from a contact",
    SMS_RECEIVED: "SMS received",
}

#: ``sender`` is the event type; keyword arguments: ``workspace_id`` and ``data`` (a dict of
#: JSON-compatible values describing the event, such as ``contact_id`` or ``deal_id``).
crm_event = Signal()


def emit(event_type: str, workspace_id, **data) -> None:
    """Announce ``event_type`` in a workspace once the current transaction commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown CRM event {event_type!r}.")
    transaction.on_commit(
        partial(crm_event.send, sender=event_type, workspace_id=workspace_id, data=data)
    )
