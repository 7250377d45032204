"""``sandbox_seed_outlook`` fills a mailbox that syncs whole, threads included."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from email_accounts import services
from email_accounts.models import EmailMessage
from sandbox.microsoft.models import OutlookMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_seeded_mailbox_syncs_with_its_conversations(outlook_account):
    call_command("sandbox_seed_outlook", email=outlook_account.email, messages=40, seed=7)

    seeded = OutlookMessage.objects.filter(mailbox__email=outlook_account.email)
    assert seeded.count() == 40 and seeded.filter(folder="sentitems").count() == 8
    conversations = seeded.values("conversation_id").annotate(n=Count("id"))
    assert any(row["n"] > 1 for row in conversations)  # replies joined their conversation

    log = services.sync_emails(outlook_account)

    assert (log.status, log.created) == ("success", 40)
    assert EmailMessage.objects.filter(direction="outbound").count() == 8
    stored = EmailMessage.objects.values("provider_thread_id").distinct().count()
    assert stored == conversations.count()
    call_command("sandbox_seed_outlook", email=outlook_account.email, messages=5, clear=True)
    assert seeded.filter(deleted=False).count() == 5
    log = services.sync_emails(outlook_account)
    assert (log.created, log.deleted) == (5, 40)
