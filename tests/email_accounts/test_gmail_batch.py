"""Gmail's batch requests, as google-api-python-client sends them."""

import pytest
from django.conf import settings
from googleapiclient.http import BatchHttpRequest

from email_accounts.providers.gmail import RAW_FIELDS, GmailClient
from integrations.providers.google import batch_request

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
