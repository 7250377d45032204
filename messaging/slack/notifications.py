"""CRM events become Slack posts through the workspace's notification rules.

The ``crm_event`` receiver only writes one queued SlackNotification per matching rule and queues
its task once committed: it runs in the request that caused the event, so it does no rendering
and makes no call to Slack. The task renders the rule's template from the event (see
:func:`context`) and posts it.
"""

from __future__ import annotations

import re

from django.db import transaction

from clianta import events
from clianta.models import Contact, Deal

from .escaping import escape
from .models import NotificationRule, SlackIntegration, SlackNotification

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def queue(sender, workspace_id, data, **kwargs) -> list[SlackNotification]:
    """``crm_event`` receiver: one queued notification per enabled rule of the event's type."""
    from .tasks import send_notification

    if not SlackIntegration.objects.filter(workspace_id=workspace_id).exists():
        return []
    rules = NotificationRule.objects.filter(
        workspace_id=workspace_id, event_type=sender, enabled=True
    )
    queued = []
    with transaction.atomic():
        for rule in rules:
            notification = SlackNotification.objects.create(
                workspace_id=workspace_id,
                rule=rule,
                event_type=sender,
                event_data=data,
                channel=rule.channel,
            )
            transaction.on_commit(lambda pk=notification.pk: send_notification.delay(str(pk)))
            queued.append(notification)
    return queued


def _contact_fields(contact: Contact | None) -> dict:
    if contact is None:
        return {}
    return {
        "contact_name": contact.full_name or contact.email,
        "contact_email": contact.email,
        "contact_phone": contact.phone,
        "contact_title": contact.title,
        "company_name": contact.company.name if contact.company else "",
    }


def context(workspace_id, data: dict) -> dict:
    """What a template can name: the event's own fields, plus ``contact_name``,
    ``contact_email``, ``contact_phone``, ``contact_title``, ``company_name`` for an event with
    a ``contact_id`` and ``deal_name``, ``deal_stage``, ``deal_amount`` (with its currency) for
    one with a ``deal_id``."""
    fields = {key: str(value) for key, value in data.items()}
    deal = None
    if data.get("deal_id"):
        deal = Deal.objects.filter(workspace_id=workspace_id, pk=data["deal_id"]).first()
    if deal is not None:
        fields.update(
            deal_name=deal.name,
            deal_stage=deal.get_stage_display(),
            deal_amount=f"{deal.amount:,.2f} {deal.currency}",
        )
    contact_id = data.get("contact_id") or (deal.contact_id if deal else None)
    contacts = Contact.objects.select_related("company").filter(workspace_id=workspace_id)
    fields.update(_contact_fields(contacts.filter(pk=contact_id).first() if contact_id else None))
    return fields


def render(template: str, fields: dict) -> str:
    """The template with each ``{name}`` replaced by its value escaped for Slack (the template's
    own text may carry Slack markup, the values never do); names it does not know stay as
    written."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        return escape(fields[name]) if name in fields else match.group(0)

    return PLACEHOLDER.sub(value, template)


def connect_receiver() -> None:
    events.crm_event.connect(queue, dispatch_uid="slack.notifications")
