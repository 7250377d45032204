"""A notification's text: its rule's template filled from the CRM event (see :func:`context`),
each value escaped for Slack. The task that posts a notification renders it
(messaging/slack/tasks.py); which events make notifications is in rules.py."""

from __future__ import annotations

import re

from clianta.models import Contact, Deal

from .escaping import escape

PLACEHOLDER = re.compile(r"\{(\w+)\}")


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
