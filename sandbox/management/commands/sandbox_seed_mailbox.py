"""Fill a sandbox Gmail mailbox with realistic mail, fast (10,000 messages in a few seconds).

    python manage.py sandbox_seed_mailbox --email user@example.com --messages 500 [--clear]

The mix: several people at several domains, no-reply notifications and newsletters, threads of
2-4 messages linked by In-Reply-To/References, messages sent by the mailbox's owner (SENT), a few
attachments, HTML alternatives, one message in ISO-8859-1, and, in larger mailboxes, a little
spam and trash; dates spread over the past months. Under ``make run`` the default mailbox is the
one the sandbox consent page suggests.
"""

from __future__ import annotations

import base64
import quopri
import random
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr

from django.core.management.base import BaseCommand, CommandError

from sandbox.google import gmail_mailbox as gm
from sandbox.google.oauth import DEFAULT_EMAIL

PEOPLE = [
    ("Maria Lopez", "maria.lopez@acme-corp.com"),
    ("Kenji Watanabe", "kenji@globex.io"),
    ("Priya Natarajan", "priya.n@initech.net"),
    ("Tom Becker", "tom.becker@umbrella.example"),
    ("Amara Okafor", "amara@hooli.dev"),
    ("Lucas Martin", "lucas.martin@gmail.com"),
    ("Sofia Rossi", "sofia.rossi@example.org"),
    ("Jörg Weiß", "j.weiss@stark-industries.example"),
]
NO_REPLY = [
    ("GitHub", "noreply@github.com", "CATEGORY_UPDATES"),
    ("Google", "no-reply@accounts.google.com", "CATEGORY_UPDATES"),
    ("Slack", "notifications@slack.com", "CATEGORY_UPDATES"),
    ("The Weekly Brief", "newsletter@substack.com", "CATEGORY_PROMOTIONS"),
    ("LinkedIn", "messages-noreply@linkedin.com", "CATEGORY_SOCIAL"),
]
TOPICS = [
    "Q{q} pricing proposal",
    "Contract renewal for {year}",
    "Follow-up on our demo",
    "Invoice #{n}",
    "Onboarding: next steps",
    "Meeting notes {n}",
    "Partnership idea",
    "Support ticket {n}",
    "Lunch next week?",
    "Intro: {name} <> you",
]
NOTICES = [
    "Your weekly digest",
    "New sign-in to your account",
    "[clianta/crm] Pull request #{n} merged",
    "You have {n} unread messages",
    "Issue {n}: build failing on main",
]
LINES = [
    "Thanks for the quick turnaround — really appreciated.",
    "Could you send over the latest numbers before Friday?",
    "I've attached the draft; comments welcome.",
    "Let's find 30 minutes next week to go through it.",
    "Pricing is €{n} per seat, billed annually.",
    "We're aligned on scope; legal is reviewing the MSA.",
    "Quick reminder about the open items from our call.",
]
ATTACHMENTS = [
    ("proposal.pdf", "application/pdf", b"%PDF-1.4\n% sandbox\n1 0 obj<<>>endobj\n%%EOF\n"),
    ("pipeline.csv", "text/csv", b"company,stage,amount\nAcme,won,12000\nGlobex,open,8000\n"),
    (
        "logo.png",
        "image/png",
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        ),
    ),
]
LATIN1 = {
    "sender": ("François Dupré", "francois.dupre@exemple.fr"),
    "subject": "Réunion à Paris : ordre du jour",
    "body": "Bonjour,\r\n\r\nVoici l'ordre du jour de la réunion de jeudi : résumé, budget, "
    "prochaines étapes.\r\nÀ bientôt,\r\nFrançois\r\n",
}


def _address(name: str, email: str) -> str:
    return formataddr((name, email), "utf-8")


def _header(text: str, charset: str = "utf-8") -> str:
    return text if text.isascii() else Header(text, charset).encode()


def raw_message(
    *,
    sender,
    to,
    subject,
    date,
    message_id,
    text,
    html=None,
    in_reply_to=None,
    references=(),
    attachment=None,
    charset="utf-8",
) -> bytes:
    """The RFC 2822 bytes (CRLF), written directly, and their indexed fields: much faster than
    building and parsing them with the email package."""
    head = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {_header(subject, charset)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {message_id}",
    ]
    if in_reply_to:
        head += [f"In-Reply-To: {in_reply_to}", f"References: {' '.join(references)}"]
    head.append("MIME-Version: 1.0")
    plain = (
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + text.encode(charset)
    body = plain
    if html is not None:
        encoded = quopri.encodestring(html.encode(), quotetabs=False).replace(b"\n", b"\r\n")
        html_part = (
            b"Content-Type: text/html; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded
        )
        body = _multipart("alternative", [plain, html_part], message_id)
    if attachment is not None:
        filename, kind, data = attachment
        data_part = (
            f'Content-Type: {kind}; name="{filename}"\r\n'
            f'Content-Disposition: attachment; filename="{filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode() + base64.encodebytes(data).replace(b"\n", b"\r\n")
        body = _multipart("mixed", [body, data_part], message_id + "m")
    fields = {
        "message_id_header": message_id,
        "subject": subject,
        "sender": gm.header_text(sender),
        "recipients": gm.header_text(to),
        "snippet": gm.snippet(text),
        "has_attachment": attachment is not None,
    }
    return "\r\n".join(head).encode() + b"\r\n" + body, fields


def _multipart(subtype: str, parts: list[bytes], seed: str) -> bytes:
    boundary = f"=_{subtype}_{zlib.crc32(seed.encode()):08x}"
    inner = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts)
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    return head + inner + f"--{boundary}--\r\n".encode()


class Seeder:
    """Generates the rows of one mailbox; ``counts`` says what went in."""

    def __init__(self, box, count: int, days: int, rng: random.Random):
        self.box, self.count, self.rng = box, count, rng
        local = box.email.split("@")[0]
        self.owner_name = local.replace(".", " ").replace("_", " ").title()
        self.owner = _address(self.owner_name, box.email)
        self.end = datetime.now(UTC)
        self.start = self.end - timedelta(days=days)
        self.rows, self.ids, self.counts = [], set(), Counter()

    def _when(self) -> datetime:
        span = (self.end - self.start).total_seconds()
        return self.start + timedelta(seconds=self.rng.uniform(0, span))

    def _fill(self, template: str) -> str:
        rng = self.rng
        return template.format(
            q=rng.randint(1, 4),
            year=self.end.year + 1,
            n=rng.randint(100, 9999),
            name=rng.choice(PEOPLE)[0],
        )

    def _add(
        self,
        raw: bytes,
        fields: dict,
        labels: list[str],
        date: datetime,
        thread_id: str | None = None,
    ):
        internal_ms = int(date.timestamp() * 1000)
        gmail_id = gm.new_gmail_id(internal_ms)
        while gmail_id in self.ids:
            gmail_id = gm.new_gmail_id(internal_ms)
        self.ids.add(gmail_id)
        row = gm.build(
            self.box,
            raw,
            labels=labels,
            internal_ms=internal_ms,
            gmail_id=gmail_id,
            thread_id=thread_id,
            fields=fields,
        )
        self.rows.append(row)
        return row

    def _message_id(self, email: str) -> str:
        return f"<{self.rng.getrandbits(64):016x}.{len(self.rows)}@{email.split('@')[1]}>"

    def _text(self, to_name: str) -> str:
        lines = "\r\n".join(self.rng.sample(LINES, 2)).format(n=self.rng.randint(20, 90))
        return f"Hi {to_name.split()[0]},\r\n\r\n{lines}\r\n"

    def _inbound_labels(self, category="CATEGORY_PERSONAL", unread=0.4) -> list[str]:
        labels = ["INBOX", category]
        if self.rng.random() < unread:
            labels.append("UNREAD")
        if self.rng.random() < 0.1:
            labels.append("STARRED")
        if category == "CATEGORY_PERSONAL" and self.rng.random() < 0.3:
            labels.append("IMPORTANT")
        return labels

    def thread(self, size: int) -> None:
        name, email = self.rng.choice(PEOPLE)
        subject, date = self._fill(self.rng.choice(TOPICS)), self._when()
        owner_first = self.rng.random() < 0.3
        thread_id, references = None, []
        for index in range(size):
            mine = (index % 2 == 0) == owner_first
            sender, to = (self.owner, _address(name, email))[:: 1 if mine else -1]
            message_id = self._message_id(self.box.email if mine else email)
            raw, fields = raw_message(
                sender=sender,
                to=to,
                subject=("Re: " if index else "") + subject,
                date=date,
                message_id=message_id,
                text=self._text(name if mine else self.owner_name),
                in_reply_to=references[-1] if references else None,
                references=references,
            )
            labels = ["SENT"] if mine else self._inbound_labels(unread=0.6 * (index == size - 1))
            row = self._add(raw, fields, labels, date, thread_id)
            thread_id = row.thread_id
            references = [*references, message_id]
            self.counts["sent" if mine else "received"] += 1
            date = min(date + timedelta(minutes=self.rng.randint(5, 60 * 48)), self.end)
        self.counts["threads"] += 1

    def notice(self) -> None:
        name, email, category = self.rng.choice(NO_REPLY)
        subject, text = self._fill(self.rng.choice(NOTICES)), "View it in your browser.\r\n"
        html = (
            f"<html><body><h1>{subject}</h1><p>{text}</p>"
            "<a href='https://example.com/view'>Open</a></body></html>"
        )
        date = self._when()
        raw, fields = raw_message(
            sender=_address(name, email),
            to=self.owner,
            subject=subject,
            date=date,
            message_id=self._message_id(email),
            text=text,
            html=html,
        )
        self._add(raw, fields, self._inbound_labels(category, unread=0.5), date)
        self.counts["received"] += 1
        self.counts["html"] += 1

    def single(self, *, latin1: bool = False) -> None:
        rng, date = self.rng, self._when()
        name, email = LATIN1["sender"] if latin1 else rng.choice(PEOPLE)
        mine = not latin1 and rng.random() < 0.25
        html = None if latin1 or rng.random() > 0.3 else "<p>Please see <b>below</b>.</p>"
        attachment = None if latin1 or rng.random() > 0.05 else rng.choice(ATTACHMENTS)
        raw, fields = raw_message(
            sender=self.owner if mine else _address(name, email),
            to=_address(name, email) if mine else self.owner,
            subject=LATIN1["subject"] if latin1 else self._fill(rng.choice(TOPICS)),
            date=date,
            message_id=self._message_id(self.box.email if mine else email),
            text=LATIN1["body"] if latin1 else self._text(name if mine else self.owner_name),
            html=html,
            attachment=attachment,
            charset="iso-8859-1" if latin1 else "utf-8",
        )
        labels = ["SENT"] if mine else self._inbound_labels()
        if not mine and self.count >= 200 and rng.random() < 0.01:
            labels = ["SPAM"] if rng.random() < 0.5 else [*labels, "TRASH"]
        self._add(raw, fields, labels, date)
        self.counts["sent" if mine else "received"] += 1
        self.counts["html"] += html is not None
        self.counts["attachments"] += attachment is not None
        self.counts["iso-8859-1"] += latin1

    def run(self) -> list:
        self.single(latin1=True)
        while len(self.rows) < self.count:
            left, pick = self.count - len(self.rows), self.rng.random()
            if pick < 0.35 and left >= 2:
                self.thread(min(self.rng.randint(2, 4), left))
            elif pick < 0.55:
                self.notice()
            else:
                self.single()
        return self.rows


class Command(BaseCommand):
    help = "Fill a sandbox Gmail mailbox with realistic messages (threads, sent mail, HTML, …)."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEFAULT_EMAIL, help=f"default: {DEFAULT_EMAIL}")
        parser.add_argument("--messages", type=int, default=200, help="how many (default 200)")
        parser.add_argument("--days", type=int, default=180, help="spread over (default 180)")
        parser.add_argument("--clear", action="store_true", help="empty the mailbox first")
        parser.add_argument("--seed", type=int, help="random seed, for a repeatable mailbox")

    def handle(self, *args, email, messages, days, clear, seed, **options):
        if messages < 0 or days < 1:
            raise CommandError("--messages must be 0 or more and --days at least 1")
        box = gm.mailbox(email)
        if clear:
            self.stdout.write(f"Cleared {gm.clear(box)} messages of {box.email}.")
        if not messages:
            return
        seeder = Seeder(box, messages, days, random.Random(seed))  # noqa: S311 (not security)
        rows = seeder.run()
        gm.bulk_store(box, rows)
        counts = seeder.counts
        labels = Counter(label for row in rows for label in row.label_ids)
        dates = sorted(row.internal_date for row in rows)
        first, last = (
            datetime.fromtimestamp(ms / 1000, UTC).date() for ms in (dates[0], dates[-1])
        )
        self.stdout.write(
            f"Seeded {box.email} with {len(rows)} messages "
            f"({len({row.thread_id for row in rows})} threads, {counts['threads']} of them "
            f"conversations of 2-4 messages): {counts['received']} received, {counts['sent']} "
            f"sent, {counts['html']} with HTML, {counts['attachments']} with attachments, "
            f"{counts['iso-8859-1']} in ISO-8859-1; {first} to {last}."
        )
        self.stdout.write("Labels: " + ", ".join(f"{k} {v}" for k, v in labels.most_common()))
        self.stdout.write(f"Mailbox historyId: {box.history_id}.")
