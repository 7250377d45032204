"""CRM events: what happened in a workspace, recorded durably and announced to the apps that
react to them (Slack notifications, the timeline, outbound webhooks).

Apps call :func:`emit` where the event happens, inside the transaction that makes the change:
the ``CrmEvent`` row is written in that transaction, so a rolled-back change leaves no event and
a committed one always has its row. Two signals announce it:

- ``recorded``, at once, inside that transaction: a receiver that must never miss an event
  (outbound webhooks) writes its own rows there, committed or rolled back with the change;
- ``crm_event``, after the commit, so a receiver never sees uncommitted rows.

Receivers must be quick (write rows, queue a Celery task): they run in the request or task that
caused the event.
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
EMAIL_SENT = "email.sent"
SMS_RECEIVED = "sms.received"
SMS_STATUS_CHANGED = "sms.status_changed"
CALL_COMPLETED = "call.completed"
MEETING_SCHEDULED = "meeting.scheduled"
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
INVOICE_PAID = "invoice.paid"
INVOICE_OVERDUE = "invoice.overdue"
INTEGRATION_NEEDS_RECONNECT = "integration.needs_reconnect"
SYNC_FAILED = "sync.failed"

EVENT_TYPES = {
    CONTACT_CREATED: "Contact created",
    DEAL_STAGE_CHANGED: "Deal stage changed",
    DEAL_WON: "Deal won",
    EMAIL_RECEIVED: "Email received from a contact",
    EMAIL_SENT: "Email sent",
    SMS_RECEIVED: "SMS received",
    SMS_STATUS_CHANGED: "SMS delivery status changed",
    CALL_COMPLETED: "Call completed",
    MEETING_SCHEDULED: "Meeting scheduled",
    PAYMENT_SUCCEEDED: "Payment succeeded",
    PAYMENT_FAILED: "Payment failed",
    INVOICE_PAID: "Invoice paid",
    INVOICE_OVERDUE: "Invoice overdue",
    INTEGRATION_NEEDS_RECONNECT: "Integration needs reconnecting",
    SYNC_FAILED: "Sync failed",
}

#: The CRM's own changes (the others describe what an integration saw or did).
CRM_CHANGES = (CONTACT_CREATED, DEAL_STAGE_CHANGED, DEAL_WON)

#: ``sender`` is the event type; keyword arguments: ``workspace_id``, ``event_id`` (the
#: ``CrmEvent`` row) and ``data`` (a dict of JSON-compatible values describing the event, such as
#: ``contact_id`` or ``deal_id``).
crm_event = Signal()
#: Sent inside the transaction that records the event, with ``event`` (the ``CrmEvent`` row).
recorded = Signal()


@transaction.atomic
def emit(event_type: str, workspace_id, **data) -> CrmEvent:
    """Record ``event_type`` in a workspace, in the current transaction (or one of its own), and
    announce it once that transaction commits. A ``contact_id`` in ``data`` names the contact it
    concerns."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown CRM event {event_type!r}.")
    event = CrmEvent.objects.create(
        workspace_id=workspace_id, type=event_type, contact_id=data.get("contact_id"), data=data
    )
    recorded.send(sender=event_type, event=event)
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
