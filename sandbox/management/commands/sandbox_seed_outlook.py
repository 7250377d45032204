"""Fill a sandbox Outlook mailbox with mail (the Inbox and Sent Items):

    python manage.py sandbox_seed_outlook --email me@outlook.example --messages 200 [--clear]

People, topics and attachments are the Gmail seed's (sandbox_seed_mailbox); replies answer
earlier messages, so Outlook threads them into one conversation; every fifth message is the
owner's, filed in Sent Items; about half of the rest are read.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import formataddr, make_msgid

from django.core.management.base import BaseCommand

from sandbox.microsoft import mail
from sandbox.microsoft.identity import DEFAULT_EMAIL

from .sandbox_seed_mailbox import ATTACHMENTS, LINES, PEOPLE, TOPICS, raw_message


class Command(BaseCommand):
    help = "Fill a sandbox Outlook mailbox with realistic mail."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEFAULT_EMAIL, help=f"default: {DEFAULT_EMAIL}")
        parser.add_argument("--messages", type=int, default=200, help="how many (default 200)")
        parser.add_argument("--days", type=int, default=180, help="spread over (default 180)")
        parser.add_argument("--clear", action="store_true", help="empty the mailbox first")
        parser.add_argument("--seed", type=int, help="random seed, for a repeatable mailbox")

    def handle(self, *args, email, messages, days, clear, seed, **options):
        rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
        owner = email.strip().lower()
        if clear:
            mail.clear(owner)
        start = datetime.now(UTC) - timedelta(days=days)
        step = timedelta(days=days) / max(messages, 1)
        earlier: list[tuple[str, str, str]] = []  # (message id, subject, the other person)
        folders = Counter()
        for n in range(messages):
            date = start + step * n
            person = formataddr(rng.choice(PEOPLE))
            if earlier and rng.random() < 0.3:
                replied_id, subject, person = rng.choice(earlier)
                subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
            else:
                replied_id = None
                subject = rng.choice(TOPICS).format(
                    q=rng.randint(1, 4), year=2027, n=rng.randint(100, 999), name="Sam"
                )
            outgoing = n % 5 == 4
            message_id = make_msgid(domain="outlook.example")
            raw, _fields = raw_message(
                sender=owner if outgoing else person,
                to=person if outgoing else owner,
                subject=subject,
                date=date,
                message_id=message_id,
                text=rng.choice(LINES).format(n=rng.randint(10, 90)),
                in_reply_to=replied_id,
                references=(replied_id,) if replied_id else (),
                attachment=rng.choice(ATTACHMENTS) if rng.random() < 0.1 else None,
            )
            folder = "sentitems" if outgoing else "inbox"
            message = mail.deliver(owner, raw=raw, folder=folder, received_at=date)
            if not outgoing and rng.random() < 0.5:
                mail.mark_read(owner, message.graph_id)
            earlier.append((message_id, subject, person))
            folders[folder] += 1
        self.stdout.write(
            f"{owner}: {folders['inbox']} in Inbox, {folders['sentitems']} in Sent Items."
        )
