"""Writing a page of provider mail: messages upserted by (account, provider id), threads
resolved, blocked senders skipped, contacts linked (and created by the workspace's policy).

A page costs a fixed number of queries however many messages it holds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from clianta import contacts, events
from integrations.sync import Counts

from . import noise
from .models import EmailAccount, EmailMessage, EmailSettings, EmailThread
from .parsing import ParsedMessage, parse

logger = logging.getLogger("email_accounts")

Direction = EmailMessage.Direction
NEW_MAIL_WINDOW = timedelta(days=1)


@dataclass
class Fetched:
    """A message as the provider has it now."""

    provider_id: str
    provider_thread_id: str
    labels: list[str]
    raw: bytes
    received_at: datetime | None = None


@dataclass
class Deleted:
    provider_id: str


@dataclass
class Relabeled:
    provider_id: str
    labels: list[str]


def store(account: EmailAccount, items: list) -> Counts:
    counts = Counts()
    deleted = [i.provider_id for i in items if isinstance(i, Deleted)]
    if deleted:
        counts.deleted += (
            EmailMessage.objects.filter(account=account, provider_message_id__in=deleted)
            .delete()[1]
            .get(EmailMessage._meta.label, 0)
        )
    changes = {i.provider_id: i for i in items if isinstance(i, Fetched | Relabeled)}
    existing = {
        m.provider_message_id: m
        for m in EmailMessage.objects.filter(account=account, provider_message_id__in=changes)
    }
    relabeled = []
    for provider_id, message in existing.items():
        labels = changes[provider_id].labels
        if message.labels != labels:
            message.labels = labels
            relabeled.append(message)
    EmailMessage.objects.bulk_update(relabeled, ["labels"])
    counts.updated += len(relabeled)
    new = [i for i in changes.values() if isinstance(i, Fetched) and i.provider_id not in existing]
    _create(account, new, counts)
    return counts


def _create(account: EmailAccount, fetched: list[Fetched], counts: Counts) -> None:
    blocklist = noise.Blocklist(account.workspace_id)
    parsed: list[tuple[Fetched, ParsedMessage]] = []
    for item in fetched:
        message = parse(item.raw)
        if message.problems:
            logger.warning(
                "email.parse_problems",
                extra={
                    "account": account.account_key,
                    "provider_id": item.provider_id,
                    "problems": message.problems,
                },
            )
        message.sent_at = message.sent_at or item.received_at or timezone.now()
        if blocklist.blocks(message.from_address):
            counts.skip(noise.BLOCKED_REASON)
        else:
            parsed.append((item, message))
    if not parsed:
        return
    parsed.sort(key=lambda pair: pair[1].sent_at or datetime.min.replace(tzinfo=UTC))
    threads = _Threads(account, parsed)
    rows = []
    for item, message in parsed:
        outbound = message.from_address == account.email.lower() or "SENT" in item.labels
        rows.append(
            EmailMessage(
                workspace_id=account.workspace_id,
                account=account,
                thread_id=threads.place(item, message),
                provider_message_id=item.provider_id,
                provider_thread_id=item.provider_thread_id,
                message_id=message.message_id[:998],
                in_reply_to=message.in_reply_to[:998],
                references=" ".join(message.references),
                from_address=message.from_address[:254],
                from_name=message.from_name[:255],
                to=message.to,
                cc=message.cc,
                bcc=message.bcc,
                subject=message.subject[:998],
                sent_at=message.sent_at,
                snippet=message.snippet,
                body_text=message.text,
                body_html=message.html,
                labels=item.labels,
                direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
                attachments=message.attachments,
            )
        )
    threads.save()
    EmailMessage.objects.bulk_create(rows, ignore_conflicts=True)
    counts.created += len(rows)
    _link_contacts(account, rows, [message for _, message in parsed], blocklist)


class _Threads:
    """Finds each new message's thread: the provider's thread id first, then Message-ID
    references (across the workspace's mailboxes), else a new thread. Two queries."""

    def __init__(self, account: EmailAccount, parsed: list[tuple[Fetched, ParsedMessage]]):
        self.account = account
        provider_threads = {
            item.provider_thread_id for item, _ in parsed if item.provider_thread_id
        }
        references = {ref for _, m in parsed for ref in (m.in_reply_to, *m.references) if ref}
        known = EmailMessage.objects.filter(
            account=account, provider_thread_id__in=provider_threads
        )
        self.by_provider_thread = dict(known.values_list("provider_thread_id", "thread_id"))
        referenced = EmailMessage.objects.filter(
            workspace_id=account.workspace_id, message_id__in=references
        )
        self.by_message_id = dict(referenced.values_list("message_id", "thread_id"))
        self.new: dict = {}
        self.touched: dict = {}

    def place(self, item: Fetched, message: ParsedMessage):
        thread_id = self.by_provider_thread.get(item.provider_thread_id) or next(
            (
                self.by_message_id[ref]
                for ref in (message.in_reply_to, *reversed(message.references))
                if ref in self.by_message_id
            ),
            None,
        )
        if thread_id is None:
            thread = EmailThread(
                workspace_id=self.account.workspace_id, subject=message.subject[:998]
            )
            self.new[thread.pk] = thread
            thread_id = thread.pk
        if item.provider_thread_id:
            self.by_provider_thread[item.provider_thread_id] = thread_id
        if message.message_id:
            self.by_message_id[message.message_id] = thread_id
        latest = self.touched.get(thread_id)
        if message.sent_at and (latest is None or message.sent_at > latest):
            self.touched[thread_id] = message.sent_at
        return thread_id

    def save(self) -> None:
        """Insert the new threads; move the others' last_message_at forward."""
        for thread in self.new.values():
            thread.last_message_at = self.touched.get(thread.pk)
        EmailThread.objects.bulk_create(self.new.values())
        old = EmailThread.objects.in_bulk([pk for pk in self.touched if pk not in self.new])
        moved = []
        for pk, thread in old.items():
            if thread.last_message_at is None or self.touched[pk] > thread.last_message_at:
                thread.last_message_at = self.touched[pk]
                moved.append(thread)
        EmailThread.objects.bulk_update(moved, ["last_message_at"])


def _link_contacts(account, rows, messages, blocklist) -> None:
    """Link each message to the workspace's contacts among its participants; create contacts
    as the workspace's policy says (people written to, or everyone)."""
    own = account.email.lower()
    addresses = {a for m in messages for a in m.participants if a and a != own}
    addresses = {a for a in addresses if not blocklist.blocks(a)}
    policy = noise.contact_policy(account.workspace_id)
    create: dict[str, str] = {}
    if policy == EmailSettings.ContactPolicy.EVERYONE:
        create = {m.from_address: m.from_name for m in messages if m.from_address in addresses}
        create.update({a: "" for a in addresses if a not in create})
    elif policy == EmailSettings.ContactPolicy.SENT:
        create = {a: "" for m in messages if m.from_address == own for a in (*m.to, *m.cc, *m.bcc)}
        create = {a: n for a, n in create.items() if a in addresses}
    known = contacts.ensure(account.workspace_id, create) if create else {}
    known.update(contacts.find(account.workspace_id, addresses - set(known)))
    if not known:
        return
    stored = dict(
        EmailMessage.objects.filter(
            account=account, provider_message_id__in=[r.provider_message_id for r in rows]
        ).values_list("provider_message_id", "pk")
    )
    Link = EmailMessage.contacts.through
    links = [
        Link(emailmessage_id=stored[row.provider_message_id], contact_id=known[address].pk)
        for row, message in zip(rows, messages, strict=True)
        for address in set(message.participants)
        if address in known and row.provider_message_id in stored
    ]
    Link.objects.bulk_create(links, ignore_conflicts=True)
    # Mail to or from a contact, sent recently, is a CRM event (a first sync's old mail is not).
    recent = timezone.now() - NEW_MAIL_WINDOW
    for row, message in zip(rows, messages, strict=True):
        if not row.sent_at or row.sent_at < recent or row.provider_message_id not in stored:
            continue
        about = {"message_id": str(stored[row.provider_message_id]), "subject": row.subject}
        if row.direction == Direction.INBOUND:
            if sender := known.get(message.from_address):
                events.emit(
                    events.EMAIL_RECEIVED,
                    str(account.workspace_id),
                    contact_id=str(sender.pk),
                    from_address=message.from_address,
                    **about,
                )
        elif to := [known[a] for a in (*message.to, *message.cc, *message.bcc) if a in known]:
            events.emit(
                events.EMAIL_SENT,
                str(account.workspace_id),
                contact_id=str(to[0].pk),
                to=list(message.to),
                **about,
            )
