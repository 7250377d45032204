"""What every mail backend offers the email app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

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


@dataclass(frozen=True)
class EmailBackend:
    """A mail provider's backend: how to sync a mailbox, and how to send RFC 2822 bytes from it
    (answering the provider's message id and thread id)."""

    sync_job: Callable[[EmailAccount], MailboxSync]
    send: Callable[[EmailAccount, bytes, str | None], tuple[str, str]]
