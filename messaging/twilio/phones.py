"""Phone numbers for Twilio: E.164 through clianta.phones, and the contact a number belongs to."""

from __future__ import annotations

from clianta.models import Contact
from clianta.phones import to_e164
from integrations.providers.twilio.errors import InvalidPhoneNumber


def normalise(number: str) -> str:
    """``number`` in E.164; InvalidPhoneNumber (a 400 for the API) when it is not one."""
    try:
        return to_e164(number)
    except ValueError as exc:
        raise InvalidPhoneNumber(str(exc), provider="twilio") from None


def normalise_or_none(number: str) -> str | None:
    try:
        return normalise(number)
    except InvalidPhoneNumber:
        return None


def contact_for(workspace_id, e164: str) -> Contact | None:
    """The workspace's contact whose phone is ``e164`` once normalised (phones stored before
    they were normalised are free text, so candidates are narrowed by their last digits and
    compared in E.164); the oldest when several match."""
    tail = e164[-4:]
    candidates = Contact.objects.filter(workspace_id=workspace_id, phone__contains=tail)
    for contact in candidates.order_by("created_at", "id"):
        if normalise_or_none(contact.phone) == e164:
            return contact
    return None
