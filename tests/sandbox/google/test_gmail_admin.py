"""Sandbox Gmail mailboxes in the admin: listed and opened, read-only."""

import pytest

from sandbox.google import gmail_mailbox as gm
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db


def test_gmail_models_show_read_only_in_the_admin(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    message = gm.deliver("ida@example.com", sender="ann@acme.example", subject="Hi", body="Hey")
    box = gm.mailbox("ida@example.com")
    record = box.history.get()
    pages = ["gmailmailbox/", "gmailmessage/", "gmailhistoryrecord/"]
    pages += [
        f"gmailmailbox/{box.pk}/change/",
        f"gmailmessage/{message.pk}/change/",
        f"gmailhistoryrecord/{record.pk}/change/",
    ]
    for page in pages:
        answer = client.get(f"/admin/sandbox/{page}")
        assert answer.status_code == 200, page
    assert message.gmail_id in client.get("/admin/sandbox/gmailmessage/").text
    assert client.get("/admin/sandbox/gmailmessage/add/").status_code == 403
