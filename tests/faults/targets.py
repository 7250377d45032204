"""The syncs the fault suite drives: for each provider, how to fill its account at the provider
(the sandbox, or a real Dovecot for IMAP), what it holds, what we hold, the task that syncs it,
and how its grant is revoked."""

import imaplib
import os
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import stripe
from django.conf import settings

from calendars import tasks as calendar_tasks
from calendars.models import CalendarEvent
from email_accounts import tasks as email_tasks
from email_accounts.models import EmailMessage
from integrations.models import IntegrationCredential
from payments import tasks as payments_tasks
from payments.models import Payment
from productivity import knowledge
from productivity import tasks as productivity_tasks
from productivity.models import KnowledgePage
from sandbox.google import calendar_store
from sandbox.google import gmail_mailbox as mailbox
from sandbox.google import tokens as google_tokens
from sandbox.microsoft import mail as outlook_mail
from sandbox.microsoft import tokens as microsoft_tokens
from sandbox.microsoft.models import OutlookMessage
from sandbox.notion import store as notion_store
from sandbox.notion.models import NotionObject
from sandbox.stripe import keys as stripe_keys
from sandbox.stripe import store as stripe_store
from tests.conftest import wait_for
from tests.email_accounts.mail import raw

#: The folders of a Dovecot mailbox that are synced (Trash is not).
IMAP_FOLDERS = ("INBOX", "Sent")


@dataclass
class Target:
    slug: str
    account: Any  # EmailAccount, CalendarIntegration, or Notion's IntegrationCredential
    task: Any  # the app's sync task, taking the account's id
    #: the sandbox's name for the provider, and its API paths (for fault injection)
    sandbox_provider: str
    path_regex: str
    #: how many requests in a row an injected fault hits: more than the SDK retries by itself,
    #: so that the fault reaches the sync runner
    fault_times: int = 1

    @property
    def account_key(self) -> str:
        return self.account.account_key

    @property
    def credential(self) -> IntegrationCredential:
        return self.account.credential

    def seed(self, count: int) -> None:
        raise NotImplementedError

    def remote_ids(self) -> set[str]:
        raise NotImplementedError

    def local_ids(self) -> list[str]:
        raise NotImplementedError

    def assert_same_data(self) -> None:
        """What we hold equals what the provider holds: nothing lost, nothing doubled."""
        local = self.local_ids()
        assert not [key for key, seen in Counter(local).items() if seen > 1], "doubled rows"
        assert set(local) == self.remote_ids()

    def sync(self):
        """Run the account's sync task in this process, retries included."""
        return self.task.apply(args=[str(self.account.pk)], kwargs={"trigger": "manual"})

    def revoke(self) -> None:
        google_tokens.revoke_grants(self.credential.account)


class GmailTarget(Target):
    def seed(self, count):
        for i in range(count):
            mailbox.deliver(
                self.account.email, sender=f"p{i}@acme.example", subject=f"S{i}", body=f"B{i}"
            )

    def remote_ids(self):
        return set(mailbox.messages(self.account.email).values_list("gmail_id", flat=True))

    def local_ids(self):
        return list(
            EmailMessage.objects.filter(account=self.account).values_list(
                "provider_message_id", flat=True
            )
        )


class OutlookTarget(GmailTarget):
    def seed(self, count):
        for i in range(count):
            outlook_mail.deliver(
                self.account.email, sender=f"p{i}@acme.example", subject=f"S{i}", body=f"B{i}"
            )

    def remote_ids(self):
        messages = OutlookMessage.objects.filter(
            mailbox__email=self.account.email.lower(), deleted=False
        )
        return set(messages.values_list("graph_id", flat=True))

    def revoke(self) -> None:
        microsoft_tokens.revoke_grants(self.credential.account)


@dataclass
class ImapTarget(GmailTarget):
    """A mailbox of a real Dovecot (tests/email_accounts/imap/servers.py), which the account
    may reach through a FaultyProxy."""

    mailbox: Any = None

    def seed(self, count):
        for _ in range(count):
            key = uuid.uuid4().hex[:12]
            self.mailbox.deliver(raw(subject=f"S{key}", message_id=f"<{key}@acme.example>"))

    def remote_ids(self):
        """``<folder>:<uidvalidity>:<uid>`` of every message in the synced folders."""
        found = set()
        with self.mailbox.client() as client:
            for folder in IMAP_FOLDERS:
                client.select(f'"{folder}"', readonly=True)
                validity = int(client.response("UIDVALIDITY")[1][0])
                uids = client.uid("SEARCH", "ALL")[1][0].split()
                found |= {f"{folder}:{validity}:{int(uid)}" for uid in uids}
        return found

    def assert_same_data(self) -> None:
        super().assert_same_data()
        remote = {
            message_from_bytes(body)["Message-ID"]
            for folder in IMAP_FOLDERS
            for body in self.mailbox.messages(folder)
        }
        local = EmailMessage.objects.filter(account=self.account)
        assert set(local.values_list("message_id", flat=True)) == remote

    def revoke(self) -> None:
        """The mailbox's password is changed at the server."""
        passwd = self.mailbox.server.root / "passwd"
        mtime = passwd.stat().st_mtime
        entry = f"{self.mailbox.user}:"
        passwd.write_text(
            "".join(
                f"{entry}{{PLAIN}}changed-{uuid.uuid4().hex}\n" if line.startswith(entry) else line
                for line in passwd.read_text().splitlines(keepends=True)
            )
        )
        # Dovecot reads the file again when its modification time, in seconds, changes; it
        # looks at most once a second.
        os.utime(passwd, (mtime + 2, mtime + 2))
        wait_for(lambda: not self._password_works(), timeout=10)

    def _password_works(self) -> bool:
        try:
            with self.mailbox.client():
                return True
        except imaplib.IMAP4.error:
            return False


class CalendarTarget(Target):
    def seed(self, count):
        day = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0)
        for i in range(count):
            start = day + timedelta(hours=i % 8, days=i // 8)
            calendar_store.add_event(
                self.account.email, summary=f"E{i}", start=start, end=start + timedelta(minutes=30)
            )

    def remote_ids(self):
        return set(calendar_store.events(self.account.email).values_list("event_id", flat=True))

    def local_ids(self):
        return list(
            CalendarEvent.objects.filter(integration=self.account).values_list(
                "provider_event_id", flat=True
            )
        )


class NotionTarget(Target):
    """The knowledge sync of the credential's workspace: the pages shared with its bot."""

    @property
    def account_key(self) -> str:
        return knowledge.KnowledgeSync(self.account).account_key

    @property
    def credential(self) -> IntegrationCredential:
        return self.account

    def seed(self, count):
        for i in range(count):
            notion_store.add_page(self.account.api_key, f"Note {i}", [("paragraph", f"Body {i}")])

    def remote_ids(self):
        bot = notion_store.bot_for(self.account.api_key)
        pages = NotionObject.objects.filter(workspace=bot.workspace, kind="page", archived=False)
        return {str(page.object_id) for page in pages if notion_store.visible(bot, page)}

    def local_ids(self):
        pages = KnowledgePage.objects.filter(workspace_id=self.account.workspace_id, gone=False)
        return list(pages.values_list("page_id", flat=True))

    def sync(self):
        return self.task.apply(args=[str(self.account.workspace_id)], kwargs={"trigger": "manual"})

    def revoke(self) -> None:
        notion_store.revoke(self.account.api_key)


class StripeTarget(Target):
    """The payments of a workspace's Stripe account (connected with a restricted key)."""

    def seed(self, count):
        api = self.stripe_api()
        for i in range(count):
            api.payment_intents.create(
                {
                    "amount": 1000 + i,
                    "currency": "usd",
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                }
            )

    def stripe_api(self):
        account = stripe_keys.account_of(self.credential.api_key)
        return stripe.StripeClient(
            account.secret_key,
            base_addresses={"api": settings.STRIPE_API_URL},
            max_network_retries=0,
        ).v1

    def remote_ids(self):
        account = stripe_keys.account_of(self.credential.api_key)
        return set(stripe_store.live(account, "payment_intent").values_list("object_id", flat=True))

    def local_ids(self):
        payments = Payment.objects.filter(workspace_id=self.account.workspace_id)
        return list(payments.values_list("stripe_id", flat=True))

    def revoke(self) -> None:
        stripe_keys.revoke(self.credential.api_key)


def gmail(account) -> Target:
    return GmailTarget("gmail", account, email_tasks.sync_account, "google", r"/gmail/v1/")


def google_calendar(integration) -> Target:
    return CalendarTarget(
        "google_calendar", integration, calendar_tasks.sync_account, "google", r"/calendar/v3/"
    )


def outlook(account) -> Target:
    return OutlookTarget("outlook", account, email_tasks.sync_account, "microsoft", r"/graph/")


def imap(account, mailbox) -> Target:
    # No sandbox: faults come from a FaultyProxy or from the server itself.
    return ImapTarget("smtp", account, email_tasks.sync_account, "", "", mailbox=mailbox)


def stripe_payments(account) -> Target:
    # The stripe SDK retries a 5xx and a timeout twice by itself before raising.
    return StripeTarget(
        "stripe", account, payments_tasks.sync_account, "stripe", r"/v1/(payment_intents|events)", 3
    )


def notion(credential) -> Target:
    # notion-client retries a 429 (and a GET's 5xx) twice by itself before raising.
    return NotionTarget(
        "notion", credential, productivity_tasks.sync_notion, "notion", r"/notion/v1/", 3
    )
