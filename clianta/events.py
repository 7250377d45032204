"""CRM events: what happened in a workspace, recorded durably and announced to the apps that
react to them (Slack notifications, the timeline, outbound webhooks).

Apps call :func:`emit` where the event happens, inside the transaction that makes the change:
the ``CrmEvent`` row is written in that transaction, so a rolled-back change leaves no event and
a committed one always has its row. The ``crm_event`` signal is sent after the commit, so a
receiver never sees uncommitted rows. Receivers must be quick (queue a Celery task): they run in
the request or task that caused the event.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models import CrmEvent

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

#: ``sender`` is the event type; keyword arguments: ``workspace_id``, ``event_id`` (the
#: ``CrmEvent`` row) and ``data`` (a dict of JSON-compatible values describing the event, such as
#: ``contact_id`` or ``deal_id``).
crm_event = Signal()


def emit(event_type: str, workspace_id, **data) -> CrmEvent:
    """Record ``event_type`` in a workspace, in the current transaction, and announce it once that
    transaction commits. A ``contact_id`` in ``data`` names the contact it concerns."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown CRM event {event_type!r}.")
    event = CrmEvent.objects.create(
        workspace_id=workspace_id, type=event_type, contact_id=data.get("contact_id"), data=data
    )
    transaction.on_commit(
        partial(
            crm_event.send,
            sender=event_type,
            workspace_id=workspace_id,
            event_id=str(event.pk),
            data=data,
        )
    )
    return event
