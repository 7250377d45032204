"""The audit trail: one call, ``record``, at every place where someone connects, checks,
disconnects or revokes an integration, sends a message, creates or revokes a token, invites,
removes or changes the role of a member, or where staff open a credential in the admin.

Rows are only ever inserted; the API and the admin show them read-only."""

from __future__ import annotations

import ipaddress

from django.db import models
from rest_framework.throttling import BaseThrottle

from clianta.models import AuditEvent

# The actions recorded; the API's ``action`` filter takes these.
INTEGRATION_CONNECTED = "integration.connected"
INTEGRATION_CHECKED = "integration.checked"
INTEGRATION_DISCONNECTED = "integration.disconnected"
INTEGRATION_REVOKED = "integration.revoked"
MESSAGE_SENT = "message.sent"
TOKEN_CREATED = "token.created"
TOKEN_REVOKED = "token.revoked"
MEMBER_INVITED = "member.invited"
MEMBER_JOINED = "member.joined"
MEMBER_REMOVED = "member.removed"
MEMBER_ROLE_CHANGED = "member.role_changed"
INVITATION_REVOKED = "invitation.revoked"
INVITATION_DECLINED = "invitation.declined"
CREDENTIAL_VIEWED_BY_STAFF = "credential.viewed_by_staff"
MAILBOX_DELEGATED = "mailbox.delegated"
MAILBOX_DELEGATION_REMOVED = "mailbox.delegation_removed"
WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint.created"
WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint.deleted"
WEBHOOK_SECRET_ROTATED = "webhook_endpoint.secret_rotated"

#: Every action above: the API's ``action`` filter accepts these and only these.
ACTIONS = (
    INTEGRATION_CONNECTED,
    INTEGRATION_CHECKED,
    INTEGRATION_DISCONNECTED,
    INTEGRATION_REVOKED,
    MESSAGE_SENT,
    TOKEN_CREATED,
    TOKEN_REVOKED,
    MEMBER_INVITED,
    MEMBER_JOINED,
    MEMBER_REMOVED,
    MEMBER_ROLE_CHANGED,
    INVITATION_REVOKED,
    INVITATION_DECLINED,
    CREDENTIAL_VIEWED_BY_STAFF,
    MAILBOX_DELEGATED,
    MAILBOX_DELEGATION_REMOVED,
    WEBHOOK_ENDPOINT_CREATED,
    WEBHOOK_ENDPOINT_DELETED,
    WEBHOOK_SECRET_ROTATED,
)


def _client_ip(request) -> str | None:
    """The client's address by the rule the API's rates count with: REMOTE_ADDR, or behind
    TRUSTED_PROXY_COUNT proxies the address they appended to X-Forwarded-For (DRF's NUM_PROXIES);
    None when that is no IP address."""
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(BaseThrottle().get_ident(request) or ""))
    except ValueError:
        return None


def record(
    action: str,
    *,
    workspace=None,
    actor=None,
    request=None,
    target: models.Model | None = None,
    target_label: str = "",
    **details,
) -> AuditEvent:
    """Write one audit row. ``actor`` defaults to the request's user; ``target`` is the object
    acted on (its type, id and name are copied); ``details`` must hold no secrets."""
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an audit action: add it to clianta.audit.ACTIONS.")
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=(actor.get_username() if actor is not None else "")[:255],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:255],
        details={key: value for key, value in details.items() if value is not None},
        ip_address=_client_ip(request),
    )
