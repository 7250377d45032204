"""Joining a workspace takes the invitee's consent.

Owners and admins invite an email address with a role; the address gets a link with a random
token (stored only as its digest), valid ``INVITATION_LIFETIME_DAYS`` and usable once. The
invitation turns into a membership only when a logged-in user whose email address is the
invited one accepts it, through the link or the API. Inviting answers the same whatever the
address: registered or not, already a member or not."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clianta import audit, plans
from clianta.models import OPEN_INVITATION, Invitation, Membership

logger = logging.getLogger("clianta.invitations")


class InvitationUnavailable(Exception):
    """The invitation cannot be accepted or declined by this user; ``code`` says why."""

    MESSAGES = {
        "expired": "This invitation has expired. Ask for a new one.",
        "closed": "This invitation was already used or withdrawn.",
        "wrong_user": (
            "This invitation was sent to another email address than yours. Log in with the "
            "account of the address it was sent to."
        ),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(self.MESSAGES[code])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(days=settings.INVITATION_LIFETIME_DAYS)


def link(token: str) -> str:
    return settings.PUBLIC_URL + reverse("invitation-page", args=[token])


def members_used(workspace_id) -> int:
    """The workspace's members (the plan's ``members`` usage)."""
    return Membership.objects.filter(workspace_id=workspace_id).count()


def invite(workspace, email: str, role: str, *, request) -> Invitation:
    """Create the address's open invitation to ``workspace``, or refresh it (role, inviter, a new
    token and expiry: an earlier link stops working), and email the link. A workspace whose
    plan's members are all taken raises PlanLimitReached."""
    email = email.strip().lower()
    plans.enforce(workspace.pk, "members")
    token = secrets.token_urlsafe(32)
    fields = {
        "role": role,
        "invited_by": request.user,
        "token_digest": _digest(token),
        "expires_at": timezone.now() + _lifetime(),
    }
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(OPEN_INVITATION, workspace=workspace, email__iexact=email)
            .first()
        )
        if invitation is None:
            invitation = Invitation.objects.create(workspace=workspace, email=email, **fields)
        else:
            for name, value in fields.items():
                setattr(invitation, name, value)
            invitation.save()
        audit.record(
            audit.MEMBER_INVITED,
            workspace=workspace,
            request=request,
            target=invitation,
            target_label=email,
            role=role,
        )
    _send(invitation, token)
    return invitation


def _send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": invitation.invited_by.get_username() if invitation.invited_by else "Someone",
        "link": link(token),
        "days": settings.INVITATION_LIFETIME_DAYS,
    }
    # A header never carries a line break, whatever the workspace's name holds.
    name = " ".join(invitation.workspace.name.split())
    try:
        send_mail(
            subject=f"You are invited to join {name} on Clianta",
            message=render_to_string("invitations/email.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except Exception:
        # The invitation stands (the invitee also finds it through the API); inviting the
        # address again sends a new link.
        logger.exception("invitation.mail_failed", extra={"invitation": str(invitation.pk)})
        return
    logger.info("invitation.sent", extra={"invitation": str(invitation.pk)})


def by_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None for a wrong token."""
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_digest=_digest(token))
        .first()
    )


def addressed_to(user):
    """Pending invitations sent to ``user``'s email address, in every workspace."""
    if not user.email:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        OPEN_INVITATION, email__iexact=user.email, expires_at__gt=timezone.now()
    ).select_related("workspace", "invited_by")


def check(invitation: Invitation, user) -> None:
    """Raise ``InvitationUnavailable`` unless ``user`` may accept or decline it now."""
    if invitation.status in ("accepted", "declined", "revoked"):
        raise InvitationUnavailable("closed")
    if invitation.status == "expired":
        raise InvitationUnavailable("expired")
    if not user.email or user.email.strip().lower() != invitation.email.lower():
        raise InvitationUnavailable("wrong_user")


def _locked(invitation: Invitation, user) -> Invitation:
    current = (
        Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
    )
    check(current, user)
    return current


def accept(invitation: Invitation, user, *, request=None) -> Membership:
    """Join the workspace with the invitation's role (a member already keeps their role)."""
    with transaction.atomic():
        invitation = _locked(invitation, user)
        membership, joined = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if joined:
            audit.record(
                audit.MEMBER_JOINED,
                workspace=invitation.workspace,
                actor=user,
                request=request,
                target=membership,
                target_label=user.get_username(),
                role=membership.role,
                invitation=str(invitation.pk),
            )
    return membership


def decline(invitation: Invitation, user, *, request=None) -> None:
    with transaction.atomic():
        invitation = _locked(invitation, user)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        audit.record(
            audit.INVITATION_DECLINED,
            workspace=invitation.workspace,
            actor=user,
            request=request,
            target=invitation,
            target_label=invitation.email,
        )


def revoke(invitation: Invitation, *, request=None, actor=None) -> bool:
    """Withdraw an open invitation; False when it was no longer open."""
    with transaction.atomic():
        revoked = Invitation.objects.filter(OPEN_INVITATION, pk=invitation.pk).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                audit.INVITATION_REVOKED,
                workspace=invitation.workspace,
                actor=actor,
                request=request,
                target=invitation,
                target_label=invitation.email,
            )
    return bool(revoked)
