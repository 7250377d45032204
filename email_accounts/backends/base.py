"""What every mail backend offers the email app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from clianta import plans
from integrations.sync import Page, SyncJob

from .. import store
from ..models import EmailAccount


class MailboxSync(SyncJob):
    """A mailbox's sync: the provider module supplies ``pages``; storing and the cursor are the
    same for every provider."""

    kind = "email"

    def __init__(self, account: EmailAccount):
        super().__init__(account.credential)
        self.account = account

    @property
    def account_key(self) -> str:
        return self.account.account_key

    @property
    def account_name(self) -> str:
        return self.account.email

    def cursor(self):
        self.account.refresh_from_db(fields=["sync_cursor"])
        return self.account.sync_cursor

    def store(self, page: Page):
        counts = store.store(self.account, page.items)
        EmailAccount.objects.filter(pk=self.account.pk).update(
            sync_cursor=page.cursor, last_sync_at=timezone.now()
        )
        return counts

    def reset(self) -> None:
        EmailAccount.objects.filter(pk=self.account.pk).update(sync_cursor=None)
        self.account.sync_cursor = None

    def paused(self) -> str:
        return paused_reason(self.account)


def paused_reason(account: EmailAccount) -> str:
    """Mailboxes beyond the plan's limit (the most recently connected) are paused, not synced;
    they sync again when the plan allows them."""
    allowed = plans.limit(account.workspace_id, "mailboxes")
    synced = EmailAccount.objects.filter(workspace_id=account.workspace_id).order_by(
        "created_at", "id"
    )[:allowed]
    if account.pk in synced.values_list("pk", flat=True):
        return ""
    return f"paused: over the plan's limit of {allowed} mailboxes"


@dataclass(frozen=True)
class EmailBackend:
    """A mail provider's backend: how to sync a mailbox, and how to send RFC 2822 bytes from it
    (answering the provider's message id and thread id)."""

    sync_job: Callable[[EmailAccount], MailboxSync]
    send: Callable[[EmailAccount, bytes, str | None], tuple[str, str]]
