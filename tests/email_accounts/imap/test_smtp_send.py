"""Sending through a real SMTP server, with the copy kept in the IMAP Sent folder."""

import email

import pytest

from email_accounts import services
from email_accounts.models import EmailMessage

pytestmark = pytest.mark.django_db


def test_sending_delivers_through_smtp_and_keeps_a_copy_in_sent(
    api_a, mailbox, smtp_server, imap_account
):
    response = api_a.post(
        f"/api/email-accounts/{imap_account.pk}/send",
        {"to": ["ann@acme.example"], "bcc": ["boss@acme.example"], "subject": "Plan", "body": "Hi"},
        format="json",
    )
    assert response.status_code == 201, response.content
    (envelope,) = smtp_server.received
    assert envelope.mail_from == mailbox.user
    assert sorted(envelope.rcpt_tos) == ["ann@acme.example", "boss@acme.example"]
    delivered = email.message_from_bytes(envelope.original_content)
    assert delivered["Bcc"] is None and delivered["Subject"] == "Plan"
    (copy,) = mailbox.messages("Sent")
    assert email.message_from_bytes(copy)["Message-ID"] == response.json()["message_id"]
    sent = EmailMessage.objects.get()
    assert sent.provider_message_id.startswith("Sent:") and sent.direction == "outbound"
    log = services.sync_emails(imap_account)
    assert (log.created, EmailMessage.objects.count()) == (0, 1)
    sent.refresh_from_db()
    assert sent.labels == ["Sent", "SENT"]


def test_no_second_copy_when_the_server_files_one(mailbox, smtp_server, imap_account):
    smtp_server.files_sent_copy = True
    services.send_email(imap_account, ["ann@acme.example"], "Filed by the server", "Hi")
    assert len(smtp_server.received) == 1
    assert len(mailbox.messages("Sent")) == 1
    assert EmailMessage.objects.get().provider_message_id.startswith("Sent:")


def test_a_reply_is_threaded(mailbox, smtp_server, imap_account):
    from tests.email_accounts.mail import raw

    mailbox.deliver(raw(subject="Question", message_id="<q@acme.example>"))
    services.sync_emails(imap_account)
    question = EmailMessage.objects.get()
    reply = services.send_email(imap_account, ["ann@acme.example"], "", "Answer", question)
    delivered = email.message_from_bytes(smtp_server.received[0].original_content)
    assert delivered["In-Reply-To"] == "<q@acme.example>"
    assert delivered["Subject"] == "Re: Question"
    assert reply.thread_id == question.thread_id


def test_send_failures_answer_in_the_error_format(api_a, smtp_server, imap_account):
    url = f"/api/email-accounts/{imap_account.pk}/send"
    message = {"to": ["ann@acme.example"], "subject": "Plan", "body": "Hi"}
    smtp_server.reply = "451 4.3.0 Try again later"
    busy = api_a.post(url, message, format="json")
    assert (busy.status_code, busy.json()["code"]) == (503, "provider_unavailable")
    assert "451 4.3.0 Try again later" in busy.json()["error"]
    smtp_server.reply = "554 5.7.1 Message refused"
    refused = api_a.post(url, message, format="json")
    assert (refused.status_code, refused.json()["code"]) == (502, "provider_error")
    smtp_server.password = "changed at the provider"
    expired = api_a.post(url, message, format="json")
    assert (expired.status_code, expired.json()["code"]) == (401, "reconnect_required")
    assert not EmailMessage.objects.exists() and not smtp_server.received
