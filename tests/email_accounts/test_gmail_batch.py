"""Gmail's batch requests, as google-api-python-client sends them."""

import pytest
from django.conf import settings
from googleapiclient.http import BatchHttpRequest

from email_accounts.backends.gmail import RAW_FIELDS, GmailClient
from integrations.models import IntegrationCredential
from integrations.providers.google.client import batch_request
from sandbox.google import gmail_mailbox
from sandbox.google import tokens as google_tokens

pytestmark = pytest.mark.django_db(transaction=True)


def test_inner_calls_are_written_as_the_library_writes_them(gmail_account):
    client = GmailClient(gmail_account.credential)
    client.connect()
    messages = client.messages_api
    calls = [
        messages.get(userId="me", id="18c0ffee", format="raw", fields=RAW_FIELDS),
        messages.list(userId="me", q="from:ann@acme.example is:unread;x?", pageToken="p 2"),
        client.users_api.getProfile(userId="me"),
        messages.send(userId="me", body={"raw": "RnJvbTogbWU="}),  # with a body
    ]
    uri = settings.GMAIL_API_URL + "batch/gmail/v1"
    library = BatchHttpRequest(batch_uri=uri)
    ours = batch_request(None, uri)
    for call in calls:
        assert ours._serialize_request(call) == library._serialize_request(call)


def test_a_token_rejected_inside_a_batch_is_refreshed_once_and_the_batch_sent_again(gmail_account):
    """Google expired the token before its time: the batch's 401s refresh it through the
    framework (the library does not try to refresh by itself) and the messages arrive."""
    for n in range(3):
        gmail_mailbox.deliver(gmail_account.email, sender=f"p{n}@acme.example", subject=f"S{n}")
    ids = list(gmail_mailbox.messages(gmail_account.email).values_list("gmail_id", flat=True))
    client = GmailClient(gmail_account.credential)
    client.connect()
    rejected = client.token
    google_tokens.expire_access_tokens(gmail_account.email)

    fetched = client.fetch_raw(ids)

    assert sorted(f.provider_id for f in fetched) == sorted(ids)
    assert client.token != rejected
    stored = IntegrationCredential.objects.get(pk=gmail_account.credential.pk)
    assert stored.access_token == client.token
