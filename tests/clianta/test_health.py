"""The public health (ok or degraded, nothing more) and the staff's detailed health, which names
each problem with its reason: silent beat or workers, late syncs, accounts to reconnect and the
webhook backlog."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.test import APIClient

from clianta.health import STALE_AFTER
from clianta.models import Heartbeat
from clianta.tasks import heartbeat
from integrations.models import IntegrationCredential, WebhookDelivery
from tests.conftest import wait_for
from tests.otp import log_in_staff

DETAIL = "/api/health/detail"
pytestmark = pytest.mark.django_db


@pytest.fixture
def alive():
    """Beat sent the heartbeat and a worker ran it just now."""
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(last_run_at=timezone.now())
    Heartbeat.objects.create(name="celery@web-1", last_seen=timezone.now())


@pytest.fixture
def staff(make_user, client_for):
    return client_for(make_user("operator", is_staff=True))


def problems(client, check=None) -> list[dict]:
    response = client.get(DETAIL)
    assert response.status_code == 200
    found = response.json()["problems"]
    return [p for p in found if check is None or p["check"] == check]


def credential(workspace, provider, account, **fields):
    return IntegrationCredential.objects.create(
        workspace=workspace, provider=provider, account=account, **fields
    )


def minutes_ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def test_public_health_says_ok_or_degraded_and_nothing_else(alive, workspace_a):
    assert APIClient().get("/api/health").json() == {"status": "ok"}

    credential(workspace_a, "gmail", "late@a.example", last_success_at=minutes_ago(60))

    assert APIClient().get("/api/health").json() == {"status": "degraded"}


@pytest.mark.django_db(transaction=True)
def test_detail_names_a_worker_that_stopped(celery_worker, staff):
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(last_run_at=timezone.now())
    heartbeat.delay()
    seen = wait_for(lambda: Heartbeat.objects.filter(name__startswith=celery_worker.queue).first())
    assert problems(staff) == []
    assert staff.get(DETAIL).json()["status"] == "ok"

    # The worker stopped: its last heartbeat grows older than the beat interval allows.
    Heartbeat.objects.filter(pk=seen.pk).update(last_seen=timezone.now() - STALE_AFTER * 2)

    (silent,) = problems(staff, "worker_silent")
    assert seen.name in silent["reason"]
    assert staff.get(DETAIL).json()["status"] == "degraded"
    assert APIClient().get("/api/health").json() == {"status": "degraded"}


def test_detail_names_silent_beat(alive, staff):
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(last_run_at=minutes_ago(30))
    (silent,) = problems(staff)
    assert silent["check"] == "beat_silent"
    assert "30 minute(s) ago" in silent["reason"]


def test_late_accounts_are_counted_by_provider_after_three_intervals(
    alive, staff, workspace_a, workspace_b
):
    # Email syncs every 5 minutes, calendars every 15: late past 15 and 45 minutes.
    credential(workspace_a, "gmail", "a@a.example", last_success_at=minutes_ago(16))
    credential(workspace_b, "gmail", "b@b.example", last_success_at=minutes_ago(50))
    credential(workspace_a, "gmail", "fresh@a.example", last_success_at=minutes_ago(14))
    credential(workspace_a, "google_calendar", "a@a.example", last_success_at=minutes_ago(40))
    credential(workspace_a, "slack", "T1")  # Slack has no sync schedule
    credential(
        workspace_a, "outlook", "off@a.example", last_success_at=minutes_ago(90), sync_enabled=False
    )

    (late,) = problems(staff, "sync_late")
    assert (late["provider"], late["count"]) == ("gmail", 2)
    assert "over 15 minutes" in late["reason"]

    credential(workspace_a, "google_calendar", "b@a.example", last_success_at=minutes_ago(46))
    calendar = [p for p in problems(staff, "sync_late") if p["provider"] == "google_calendar"]
    assert [p["count"] for p in calendar] == [1]


def test_an_account_that_never_succeeded_is_late_from_its_connection(alive, staff, workspace_a):
    never = credential(workspace_a, "smtp", "new@a.example")
    assert problems(staff, "sync_late") == []

    IntegrationCredential.objects.filter(pk=never.pk).update(created_at=minutes_ago(20))

    (late,) = problems(staff, "sync_late")
    assert (late["provider"], late["count"]) == ("smtp", 1)


def test_the_interval_staff_set_in_the_beat_schedule_is_the_one_used(alive, staff, workspace_a):
    credential(workspace_a, "gmail", "a@a.example", last_success_at=minutes_ago(20))
    assert problems(staff, "sync_late")

    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(task="email_accounts.sync_all").update(interval=hourly)

    assert problems(staff, "sync_late") == []


def test_accounts_needing_reconnect_by_provider(alive, staff, workspace_a, workspace_b):
    reconnect = IntegrationCredential.Status.NEEDS_RECONNECT
    credential(workspace_a, "slack", "T1", status=reconnect)
    credential(workspace_b, "slack", "T2", status=reconnect)
    credential(workspace_a, "notion", "", status=reconnect)
    credential(workspace_a, "gmail", "ok@a.example", last_success_at=timezone.now())

    found = {p["provider"]: p["count"] for p in problems(staff, "needs_reconnect")}

    assert found == {"notion": 1, "slack": 2}


def test_webhook_deliveries_due_too_long_are_a_backlog(alive, staff, settings):
    settings.HEALTH_WEBHOOK_BACKLOG_MINUTES = 10

    def delivery(number, due, **fields):
        WebhookDelivery.objects.create(
            provider="slack", delivery_id=f"Ev{number}", next_attempt_at=due, **fields
        )

    delivery(1, minutes_ago(5))
    delivery(2, minutes_ago(30), processed_at=timezone.now())
    delivery(3, None)  # given up: not due any more
    assert problems(staff, "webhook_backlog") == []

    delivery(4, minutes_ago(12))
    delivery(5, minutes_ago(25))

    (backlog,) = problems(staff, "webhook_backlog")
    assert (backlog["provider"], backlog["count"]) == ("slack", 2)
    assert "25 minute(s) ago" in backlog["reason"]


def test_detail_is_for_staff_only(alive, make_user, client_for, workspace_a, alice, staff):
    assert APIClient().get(DETAIL).status_code in (401, 403)
    refused = client_for(alice).get(DETAIL)  # the owner of a workspace, not staff
    assert refused.status_code == 403
    assert "error" in refused.json()

    assert staff.get(DETAIL).status_code == 200
    operator = make_user("staff-browser", is_staff=True)
    browser = Client()
    browser.force_login(operator)  # the password alone, without the admin's code
    assert browser.get(DETAIL).status_code == 403
    assert log_in_staff(Client(), operator).get(DETAIL).status_code == 200


def test_no_workspace_or_account_reaches_anyone_through_health(alive, staff, workspace_b):
    credential(
        workspace_b,
        "gmail",
        "secret-customer@b.example",
        last_success_at=minutes_ago(60),
        last_error="token for secret-customer@b.example refused",
    )

    public = APIClient().get("/api/health")
    detail = staff.get(DETAIL)

    for body in (public.content, detail.content):
        assert b"secret-customer" not in body
        assert str(workspace_b.pk).encode() not in body
    assert problems(staff, "sync_late")[0]["count"] == 1
