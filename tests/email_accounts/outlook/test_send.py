"""Sending through /me/sendMail, and replies threaded by conversationId and the Internet
message headers."""

import base64
import email

import pytest

from email_accounts import services
from email_accounts.models import EmailMessage, EmailThread
from sandbox import faults
from sandbox.microsoft import mail as mailbox
from sandbox.microsoft.models import OutlookMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_send_files_the_message_in_sent_items_and_stores_it_once(outlook_account):
    sent = services.send_email(outlook_account, ["ann@acme.example"], "Hello", "Hi Ann")

    copy = OutlookMessage.objects.get(folder="sentitems")
    assert sent.provider_message_id == copy.graph_id
    assert sent.provider_thread_id == copy.conversation_id
    assert (sent.direction, sent.subject) == ("outbound", "Hello")
    assert copy.internet_message_id == sent.message_id
    parsed = email.message_from_bytes(bytes(copy.mime))
    assert parsed["To"] == "ann@acme.example"
    assert faults.calls("microsoft", "/me/sendMail").get().status == 202
    # The next sync meets the sent copy in Sent Items: no second row.
    services.sync_emails(outlook_account)
    assert EmailMessage.objects.filter(message_id=sent.message_id).count() == 1


def test_a_reply_joins_the_conversation_at_outlook_and_here(outlook_account):
    original = mailbox.deliver(outlook_account.email, sender="ann@acme.example", subject="Pricing")
    services.sync_emails(outlook_account)
    parent = EmailMessage.objects.get(provider_message_id=original.graph_id)

    reply = services.send_email(outlook_account, ["ann@acme.example"], "", "10 USD", parent)

    assert reply.subject == "Re: Pricing"
    assert reply.provider_thread_id == original.conversation_id  # Outlook threaded it
    assert reply.thread_id == parent.thread_id
    copy = OutlookMessage.objects.get(graph_id=reply.provider_message_id)
    headers = email.message_from_bytes(bytes(copy.mime))
    assert headers["In-Reply-To"] == original.internet_message_id
    assert original.internet_message_id in headers["References"]
    services.sync_emails(outlook_account)
    assert EmailThread.objects.count() == 1
    assert EmailMessage.objects.count() == 2


def test_the_mime_goes_base64_as_text_plain(outlook_account):
    """sendMail takes MIME as base64 in a text/plain body (learn.microsoft.com/graph/api/
    user-sendmail): the sandbox refuses anything else as MIME, and a bad body is a 400."""
    from integrations.errors import ProviderError
    from integrations.providers.microsoft.client import GraphClient

    client = GraphClient(outlook_account.credential)
    with pytest.raises(ProviderError) as raised:
        client.post("me/sendMail", data=b"%%%", headers={"Content-Type": "text/plain"})
    assert raised.value.status == 400
    raw = mailbox.compose(outlook_account.email, ["bo@acme.example"], "Hi", "Body")
    client.post("me/sendMail", data=base64.b64encode(raw), headers={"Content-Type": "text/plain"})
    assert OutlookMessage.objects.get().subject == "Hi"
