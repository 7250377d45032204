"""The syncs the fault suite drives: for each provider, how to fill its sandbox account, what it
holds, what we hold, and the task that syncs it."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from calendars import tasks as calendar_tasks
from calendars.models import CalendarEvent
from email_accounts import tasks as email_tasks
from email_accounts.models import EmailMessage
from integrations.sandbox import calendar_store, google_tokens, microsoft_tokens
from integrations.sandbox import gmail_mailbox as mailbox
from integrations.sandbox import microsoft_mail as outlook_mail
from integrations.sandbox.microsoft_models import OutlookMessage


@dataclass
class Target:
    slug: str
    account: Any  # EmailAccount or CalendarIntegration
    task: Any  # the app's sync_account task
    #: the sandbox's name for the provider, and its API paths (for fault injection)
    sandbox_provider: str
    path_regex: str

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
        google_tokens.revoke_grants(self.account.credential.account)


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
        microsoft_tokens.revoke_grants(self.account.credential.account)


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


def gmail(account) -> Target:
    return GmailTarget("gmail", account, email_tasks.sync_account, "google", r"/gmail/v1/")


def google_calendar(integration) -> Target:
    return CalendarTarget(
        "google_calendar", integration, calendar_tasks.sync_account, "google", r"/calendar/v3/"
    )


def outlook(account) -> Target:
    return OutlookTarget("outlook", account, email_tasks.sync_account, "microsoft", r"/graph/")
