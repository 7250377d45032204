"""Syncing a real Dovecot mailbox: first sync, new mail, a UIDVALIDITY change, and mail that is
awkward to read."""

import imaplib
import smtplib
from email.message import EmailMessage as MimeMessage

import pytest

from email_accounts import services
from email_accounts.backends import imap_folders, imap_smtp
from email_accounts.models import EmailAccount, EmailMessage
from integrations.errors import AuthExpired, Transient
from integrations.models import SyncLog
from integrations.providers.imap_smtp.mailbox import mapped_error
from tests.email_accounts.mail import raw

pytestmark = pytest.mark.django_db


def sync(account) -> SyncLog:
    log = services.sync_emails(account)
    assert log.status == "success", log.error
    return log


def subjects(**filters) -> list[str]:
    return sorted(EmailMessage.objects.filter(**filters).values_list("subject", flat=True))


def test_first_sync_reads_every_folder_but_trash(mailbox, imap_account):
    mailbox.deliver(raw(subject="One", message_id="<1@acme.example>"))
    mailbox.deliver(raw(subject="Two", message_id="<2@acme.example>"))
    mailbox.create("Projects")
    mailbox.deliver(raw(subject="Filed", message_id="<3@acme.example>"), folder="Projects")
    mailbox.deliver(raw(subject="Binned", message_id="<4@acme.example>"), folder="Trash")
    log = sync(imap_account)
    assert log.created == 3
    assert subjects() == ["Filed", "One", "Two"]
    filed = EmailMessage.objects.get(subject="Filed")
    assert filed.labels == ["Projects"]
    assert filed.provider_message_id.startswith("Projects:")
    assert filed.direction == "inbound" and filed.from_address == "ann@acme.example"
    cursor = EmailAccount.objects.get().sync_cursor
    assert cursor["INBOX"]["last_uid"] == 2 and cursor["Projects"]["last_uid"] == 1
    assert "Trash" not in cursor


def test_folder_names_are_decoded_for_labels(mailbox, imap_account):
    mailbox.create("&AMk-t&AOk- 2026")  # modified UTF-7 for "Été 2026"
    mailbox.deliver(raw(subject="Summer", message_id="<s@acme.example>"), "&AMk-t&AOk- 2026")
    sync(imap_account)
    message = EmailMessage.objects.get()
    assert message.labels == ["Été 2026"]
    assert message.provider_message_id.startswith("&AMk-t&AOk- 2026:")


def test_pages_are_cut_by_count_and_by_size(monkeypatch, mailbox, imap_account):
    monkeypatch.setattr(imap_smtp, "PAGE_SIZE", 2)
    monkeypatch.setattr(imap_smtp, "PAGE_BYTES", 4000)
    sizes = [100, 100, 100, 6000, 100]
    for n, size in enumerate(sizes):
        mailbox.deliver(raw(subject=f"M{n}", body="x" * size, message_id=f"<m{n}@acme.example>"))
    log = sync(imap_account)
    # [M0 M1] (count), [M2] (M3 would pass the size), [M3] (alone, however big), [M4]
    assert (log.pages, log.created) == (4, 5)
    assert EmailAccount.objects.get().sync_cursor["INBOX"]["last_uid"] == 5
    assert imap_folders.uid_set([1, 2, 3, 5, 7, 8]) == "1:3,5,7:8"


def test_later_syncs_fetch_only_new_mail(mailbox, imap_account):
    mailbox.deliver(raw(subject="Old", message_id="<old@acme.example>"))
    sync(imap_account)
    assert sync(imap_account).created == 0
    mailbox.deliver(raw(subject="New", message_id="<new@acme.example>"))
    log = sync(imap_account)
    assert (log.created, log.updated) == (1, 0)
    assert subjects() == ["New", "Old"]
    assert EmailAccount.objects.get().sync_cursor["INBOX"]["last_uid"] == 2


def test_mail_moved_or_deleted_at_the_server_follows(mailbox, imap_account):
    mailbox.create("Archive")
    for name in ("Keep", "Move", "Drop"):
        mailbox.deliver(raw(subject=name, message_id=f"<{name}@acme.example>"))
    sync(imap_account)
    moved = EmailMessage.objects.get(subject="Move")
    mailbox.move("Move", "INBOX", "Archive")
    mailbox.move("Drop", "INBOX", "Trash")
    log = sync(imap_account)
    assert (log.created, log.updated, log.deleted) == (0, 1, 1)  # moved, not fetched again
    assert dict(EmailMessage.objects.values_list("subject", "labels")) == {
        "Keep": ["INBOX"],
        "Move": ["Archive"],
    }
    assert EmailMessage.objects.get(subject="Move").pk == moved.pk
    assert sync(imap_account).deleted == 0


def test_a_uidvalidity_change_resyncs_the_folder_without_duplicates(mailbox, imap_account):
    mailbox.create("Projects")
    for n in (1, 2, 3):
        mailbox.deliver(raw(subject=f"P{n}", message_id=f"<p{n}@acme.example>"), "Projects")
    sync(imap_account)
    before = EmailAccount.objects.get().sync_cursor["Projects"]["uidvalidity"]
    kept = EmailMessage.objects.get(subject="P1")
    # The folder is recreated: new UIDVALIDITY, P2 is gone, P4 is new.
    mailbox.delete("Projects")
    mailbox.create("Projects")
    for n in (1, 3, 4):
        mailbox.deliver(raw(subject=f"P{n}", message_id=f"<p{n}@acme.example>"), "Projects")
    log = sync(imap_account)
    after = EmailAccount.objects.get().sync_cursor["Projects"]
    assert after["uidvalidity"] != before and after["last_uid"] == 3
    assert (log.created, log.updated, log.deleted) == (1, 2, 1)
    assert subjects() == ["P1", "P3", "P4"]
    renamed = EmailMessage.objects.get(subject="P1")
    assert renamed.pk == kept.pk
    assert renamed.provider_message_id == f"Projects:{after['uidvalidity']}:1"
    assert sync(imap_account).created == 0


def test_iso_8859_1_mail_is_decoded(mailbox, imap_account):
    mailbox.deliver(
        b"From: =?iso-8859-1?q?Andr=E9?= <andre@acme.example>\r\n"
        b"To: me@mail.test\r\n"
        b"Subject: =?iso-8859-1?q?R=E9union?=\r\n"
        b"Message-ID: <latin@acme.example>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Caf\xe9 demain ?\r\n"
    )
    sync(imap_account)
    message = EmailMessage.objects.get()
    assert (message.from_name, message.subject) == ("André", "Réunion")
    assert message.body_text.strip() == "Café demain ?"


def test_attachments_are_described_not_stored(mailbox, imap_account):
    mime = MimeMessage()
    mime["From"], mime["To"], mime["Subject"] = "ann@acme.example", "me@mail.test", "Deck"
    mime["Message-ID"] = "<deck@acme.example>"
    mime.set_content("The deck is attached.")
    mime.add_attachment(b"%PDF-1.4 " + b"x" * 1000, "application", "pdf", filename="deck.pdf")
    mailbox.deliver(mime.as_bytes())
    sync(imap_account)
    message = EmailMessage.objects.get()
    assert message.body_text.strip() == "The deck is attached."
    assert message.attachments == [
        {"filename": "deck.pdf", "content_type": "application/pdf", "size": 1009}
    ]


def test_a_malformed_message_is_stored_with_what_could_be_read(mailbox, imap_account, caplog):
    mailbox.deliver(
        b"From: not an address\r\n"
        b"To: <<<>>>, ok@acme.example\r\n"
        b"Date: the day after tomorrow\r\n"
        b"Subject: =?no-such-charset?q?still_here?=\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n"
        b"body \xff\xfe bytes\r\n"
    )
    mailbox.deliver(raw(subject="Fine", message_id="<fine@acme.example>"))
    log = sync(imap_account)
    assert log.created == 2
    broken = EmailMessage.objects.exclude(subject="Fine").get()
    assert "ok@acme.example" in broken.to and "body" in broken.body_text
    assert broken.sent_at is not None  # the server's arrival time stands in for the Date
    logged = [r for r in caplog.records if r.getMessage() == "email.parse_problems"]
    assert len(logged) == 1 and any("Date" in problem for problem in logged[0].problems)


def test_a_changed_password_asks_for_reconnecting(mailbox, imap_account):
    imap_account.credential.api_key = "not the password any more"
    imap_account.credential.save()
    log = services.sync_emails(imap_account)
    assert log.status == "failed" and "IMAP" in log.error
    imap_account.credential.refresh_from_db()
    assert imap_account.credential.consecutive_auth_failures == 1


@pytest.mark.parametrize(
    ("refusal", "kind"),
    [
        (imaplib.IMAP4.error(b"[AUTHENTICATIONFAILED] Authentication failed."), AuthExpired),
        (imaplib.IMAP4.error(b"[UNAVAILABLE] Temporary authentication failure."), Transient),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed"), AuthExpired),
        (smtplib.SMTPAuthenticationError(454, b"4.7.0 Temporary failure"), Transient),
    ],
)
def test_only_a_refusal_the_server_calls_final_asks_for_reconnecting(refusal, kind):
    """Dovecot answers [UNAVAILABLE] (RFC 5530) and SMTP servers 454 when their authentication
    backend is down: retried like an outage, not a reason to make the person reconnect."""
    protocol = "imap" if isinstance(refusal, imaplib.IMAP4.error) else "smtp"
    assert type(mapped_error(refusal, protocol, login=True)) is kind
