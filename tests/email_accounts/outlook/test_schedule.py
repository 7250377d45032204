"""An Outlook mailbox in the email API and on the 5-minute sync schedule Gmail is on."""

import pytest
from django_celery_beat.models import PeriodicTask

from email_accounts.tasks import sync_all
from integrations.models import SyncLog
from sandbox.microsoft import mail as mailbox
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_outlook_account_is_listed_in_the_email_api(api_a, api_b, outlook_account):
    listed = api_a.get("/api/email-accounts").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(row["provider"], row["email"]) for row in rows] == [("outlook", outlook_account.email)]
    shown = api_a.get(f"/api/email-accounts/{outlook_account.pk}").content.decode()
    assert outlook_account.credential.refresh_token not in shown
    assert outlook_account.credential.access_token not in shown
    assert api_b.get(f"/api/email-accounts/{outlook_account.pk}").status_code == 404


def test_the_five_minute_fan_out_syncs_outlook_mailboxes(outlook_account, celery_worker):
    task = PeriodicTask.objects.get(task="email_accounts.sync_all")
    assert (task.interval.every, task.interval.period, task.enabled) == (5, "minutes", True)
    mailbox.deliver(outlook_account.email, sender="ann@acme.example", subject="Scheduled")

    assert sync_all.delay() is not None

    log = wait_for(lambda: SyncLog.objects.filter(status="success").first())
    assert (log.provider, log.trigger, log.created) == ("outlook", "schedule", 1)
    assert log.account_key == outlook_account.account_key
