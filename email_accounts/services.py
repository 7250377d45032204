"""The email service: connecting mailboxes, syncing them and sending from them. The only place
that talks to mail providers."""

from __future__ import annotations

import email.message
import email.utils
import logging

from django.db import transaction
from django.utils import timezone

from clianta import plans
from integrations import sync
from integrations.models import IntegrationCredential, SyncLog
from integrations.providers.imap_smtp.mailbox import MailboxLogin, check_logins
from integrations.signals import credential_connected

from .backends import BACKENDS
from .models import EmailAccount, EmailMessage, MailboxDelegate
from .store import Fetched, store

logger = logging.getLogger("email_accounts")


def connect_from_credential(credential, user) -> EmailAccount | None:
    """The mailbox behind a credential just connected (through OAuth, or with a password)."""
    if credential.provider not in BACKENDS or not credential.account:
        return None
    account, created = EmailAccount.objects.update_or_create(
        workspace_id=credential.workspace_id,
        provider=credential.provider,
        email=credential.account.lower(),
        defaults={"credential": credential, "sync_enabled": True},
    )
    if created and user is not None:
        EmailAccount.objects.filter(pk=account.pk).update(owner=user)
    return account


def connect_mailbox(workspace, user, email_address: str, login: MailboxLogin) -> EmailAccount:
    """Connect an IMAP/SMTP mailbox: both logins are checked first (a refusal raises
    ``LoginFailed`` and stores nothing), then the password is stored encrypted and the first
    sync queued, as for a mailbox connected through OAuth. A new mailbox over the plan's limit
    raises PlanLimitReached before any login is tried."""
    known = EmailAccount.objects.filter(
        workspace=workspace, provider="smtp", email=email_address.lower()
    )
    if not known.exists():
        plans.enforce(workspace.pk, "mailboxes")
    check_logins(login)
    Status = IntegrationCredential.Status
    with transaction.atomic():
        credential, _ = IntegrationCredential.objects.select_for_update().get_or_create(
            workspace=workspace, provider="smtp", account=email_address.lower()
        )
        credential.connected_by_id = credential.connected_by_id or user.pk
        credential.api_key = login.password
        credential.metadata = {**credential.metadata, **login.metadata()}
        credential.status, credential.last_error, credential.sync_enabled = Status.ACTIVE, "", True
        credential.consecutive_failures = credential.consecutive_auth_failures = 0
        credential.save()
        credential_connected.send(sender="smtp", credential=credential, user=user)
    logger.info("email.mailbox_connected", extra={"credential": str(credential.pk)})
    return EmailAccount.objects.get(credential=credential)


def mailboxes_used(workspace_id) -> int:
    """Connected mailboxes (the plan's ``mailboxes`` usage)."""
    return EmailAccount.objects.filter(workspace_id=workspace_id).count()


def owner_id(account: EmailAccount):
    """The user id of the mailbox's owner (who connected it), or None when unknown."""
    return account.credential.connected_by_id


def may_send_as(account: EmailAccount, user) -> bool:
    """Only the mailbox's owner and the members it is delegated to send from it; a workspace's
    owners and admins too need a delegation (which they may grant)."""
    if user.pk is not None and owner_id(account) == user.pk:
        return True
    return MailboxDelegate.objects.filter(account=account, user_id=user.pk).exists()


def delegate(account: EmailAccount, user, granted_by) -> MailboxDelegate:
    """Let ``user`` (a member of the mailbox's workspace) send from it; granting again keeps
    the first grant."""
    return MailboxDelegate.objects.get_or_create(
        account=account, user=user, defaults={"granted_by": granted_by}
    )[0]


def sync_job(account: EmailAccount):
    return BACKENDS[account.provider].sync_job(account)


def sync_emails(account: EmailAccount, **run_options) -> SyncLog:
    """Fetch what is new in the mailbox (one page at a time, resumable)."""
    return sync.run(sync_job(account), **run_options)


def reply_subject(parent: EmailMessage) -> str:
    """``Re: <the parent's subject>``, on one line: a stored subject may hold line breaks (an
    encoded word decodes to any text), which a header must not."""
    subject = " ".join(parent.subject.split())
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def send_email(
    account: EmailAccount,
    to: list[str],
    subject: str,
    body: str,
    reply_to_message: EmailMessage | None = None,
    cc: list[str] = (),
    bcc: list[str] = (),
    html: str = "",
) -> EmailMessage:
    """Send from the mailbox and store the sent message at once.

    A reply carries In-Reply-To and References (and, in the same mailbox, the provider's thread
    id), so it lands in the same thread at the provider and here.
    """
    message = email.message.EmailMessage()
    message["From"] = account.email
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if bcc:
        message["Bcc"] = ", ".join(bcc)
    thread_id = None
    if reply_to_message is not None:
        parent = reply_to_message
        subject = subject or reply_subject(parent)
        if parent.message_id.split():
            parent_id = "".join(parent.message_id.split())
            message["In-Reply-To"] = parent_id
            message["References"] = " ".join([*parent.references.split(), parent_id])
        if parent.account_id == account.pk:
            thread_id = parent.provider_thread_id or None
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(timezone.now())
    message["Message-ID"] = email.utils.make_msgid(domain=account.email.rpartition("@")[2])
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    raw = message.as_bytes()
    provider_id, provider_thread_id = BACKENDS[account.provider].send(account, raw, thread_id)
    logger.info("email.sent", extra={"account": account.account_key, "provider_id": provider_id})
    with transaction.atomic():
        store(account, [Fetched(provider_id, provider_thread_id, ["SENT"], raw, timezone.now())])
    return EmailMessage.objects.get(account=account, provider_message_id=provider_id)
