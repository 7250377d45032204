"""Who owns a Twilio number: the one rule every inbound text and every callback is routed by.

A number belongs to a workspace when it is the number of that workspace's own Twilio connection
(on that connection's account), or a number of the shared account (the TWILIO_* settings)
assigned to it (TwilioNumber). Routing is by (AccountSid, number): the webhook's signature proves
the sender holds that account's Auth Token, so another tenant can never make a number resolve
to someone else's workspace. No owner, or more than one, is no owner: nothing is guessed.
"""

from __future__ import annotations

from django.conf import settings

from integrations import credentials

from . import phones
from .models import TwilioNumber

PROVIDER = "twilio"


def is_shared_account(account_sid: str) -> bool:
    return bool(account_sid) and account_sid == settings.TWILIO_ACCOUNT_SID


def owners(account_sid: str, number: str) -> set:
    """The ids of every workspace that owns ``number`` (E.164) on ``account_sid``."""
    found = set()
    if not (account_sid and number):
        return found
    connections = credentials.active(PROVIDER, account=account_sid)
    for workspace_id, metadata in connections.values_list("workspace_id", "metadata"):
        if phones.normalise_or_none((metadata or {}).get("phone_number") or "") == number:
            found.add(workspace_id)
    if is_shared_account(account_sid):
        assigned = TwilioNumber.objects.filter(phone_number=number)
        found.update(assigned.values_list("workspace_id", flat=True))
    return found


def owner(account_sid: str, number: str):
    """The id of the one workspace owning ``number`` on ``account_sid``; None for none or
    several."""
    found = owners(account_sid, number)
    return found.pop() if len(found) == 1 else None


def owns(workspace_id, account_sid: str, number: str) -> bool:
    """Whether a callback of ``account_sid`` about our ``number`` may touch the workspace's
    record (a message it sent, a call it placed)."""
    return workspace_id is not None and owner(account_sid, number) == workspace_id


def assigned_number(workspace_id) -> str | None:
    """The shared account's number the workspace sends from (its first assigned)."""
    return (
        TwilioNumber.objects.filter(workspace_id=workspace_id)
        .values_list("phone_number", flat=True)
        .first()
    )
