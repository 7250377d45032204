"""The admin as staff use it: sync logs and deliveries to search, actions on credentials."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from integrations import sync, webhooks
from integrations.models import IntegrationCredential, SyncLog, WebhookDelivery, WebhookSubscription
from tests.conftest import wait_for
from tests.integrations.sync_example import ExampleJob
from tests.otp import log_in_staff

CREDENTIALS = "/admin/integrations/integrationcredential/"


@pytest.fixture
def staff_client(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def credential(workspace_a):
    pages = [[{"email": "ann@example.com"}], [{"email": "bo@example.com"}]]
    return IntegrationCredential.objects.create(
        workspace=workspace_a, provider="example", account="acct", metadata={"remote": pages}
    )


def run_action(staff_client, action, credential):
    return staff_client.post(
        CREDENTIALS, {"action": action, "_selected_action": [str(credential.pk)]}, follow=True
    )


@pytest.mark.django_db
def test_sync_logs_are_searchable_filterable_and_read_only(staff_client, credential):
    sync.run(ExampleJob(credential))
    url = "/admin/integrations/synclog/"
    for query in (
        "",
        "?status__exact=success",
        f"?workspace__id__exact={credential.workspace_id}",
        "?q=acct",
        "?provider=example",
    ):
        page = staff_client.get(url + query)
        assert page.status_code == 200
        assert "acct" in page.content.decode()
    assert "acct" not in staff_client.get(url + "?status__exact=failed").content.decode()
    log = SyncLog.objects.get()
    assert staff_client.get(f"{url}{log.pk}/change/").status_code == 200
    assert staff_client.get(f"{url}add/").status_code == 403


@pytest.mark.django_db
def test_webhook_deliveries_and_subscriptions_in_admin(staff_client, workspace_a):
    WebhookDelivery.objects.create(provider="slack", delivery_id="Ev123", event_type="message")
    subscription = WebhookSubscription.objects.create(
        workspace=workspace_a,
        provider="slack",
        url="https://example.com/hook",
        secret="whsec-signing-secret-4242",
    )
    deliveries = staff_client.get("/admin/integrations/webhookdelivery/?q=Ev123")
    assert "Ev123" in deliveries.content.decode()
    page = staff_client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/")
    assert page.status_code == 200
    assert "whsec-signing-secret-4242" not in page.content.decode()
    assert "****4242" in page.content.decode()


@pytest.mark.django_db
def test_staff_can_have_given_up_deliveries_processed_again(staff_client):
    """A delivery given up (next attempt empty, its error kept) is due again after the action,
    and processing is requested; a processed one is left alone."""
    given_up = WebhookDelivery.objects.create(
        provider="slack", delivery_id="Ev1", attempts=6, error="Transient: down"
    )
    done = WebhookDelivery.objects.create(
        provider="slack", delivery_id="Ev2", processed_at=timezone.now()
    )
    page = staff_client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "process_again", "_selected_action": [str(given_up.pk), str(done.pk)]},
        follow=True,
    )
    assert "1 deliveries queued for processing." in page.content.decode()
    given_up.refresh_from_db()
    done.refresh_from_db()
    assert given_up.next_attempt_at <= timezone.now()
    assert done.next_attempt_at is None
    assert cache.get(webhooks.requested_key("slack"))


@pytest.mark.django_db
def test_mark_for_reconnect(staff_client, credential):
    page = run_action(staff_client, "mark_for_reconnect", credential)
    assert "1 credential(s) now need to be reconnected" in page.content.decode()
    credential.refresh_from_db()
    assert credential.status == IntegrationCredential.Status.NEEDS_RECONNECT


@pytest.mark.django_db
def test_sync_now_says_when_a_provider_has_nothing_to_sync(staff_client, workspace_a):
    apollo = IntegrationCredential.objects.create(workspace=workspace_a, provider="apollo")
    page = run_action(staff_client, "sync_now", apollo)
    assert "Queued 0 sync(s); 1 have nothing to sync." in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_sync_now_and_resync_from_scratch_run_in_the_worker(
    celery_worker, staff_client, credential
):
    run_action(staff_client, "sync_now", credential)
    first = wait_for(lambda: SyncLog.objects.filter(status="success").first())
    assert (first.trigger, first.pages) == ("admin", 2)

    run_action(staff_client, "sync_now", credential)
    wait_for(lambda: SyncLog.objects.filter(status="success").count() == 2)
    incremental = SyncLog.objects.filter(status="success").first()
    assert incremental.pages == 0  # the cursor is at the end

    run_action(staff_client, "resync_from_scratch", credential)
    wait_for(lambda: SyncLog.objects.filter(status="success").count() == 3)
    assert SyncLog.objects.filter(status="success").first().pages == 2
