"""Google Calendar push: a watch channel per synced calendar, opened, verified, renewed, stopped
on disconnect; a change in the sandbox's calendar reaches the API through a real worker within
seconds; bursts coalesce; polling stretches while push works and returns when it fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendars import services
from calendars.models import CalendarEvent, CalendarIntegration
from calendars.tasks import sync_account
from integrations import push
from integrations.locks import Lock
from integrations.models import PushChannel, PushedSync, SyncLog
from integrations.tasks import syncing_accounts
from sandbox import faults
from sandbox.google.models import GoogleCalendarChannel
from tests.calendars.test_google_calendar import add
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
NOTIFY = "/api/push/google-calendar"


@pytest.fixture
def watched(google_calendar, settings):
    """Alice's calendar, synced once, with push on and its channel opened."""
    settings.PUSH_NOTIFICATIONS = True
    services.sync_events(google_calendar)
    assert push.maintain()["opened"] == 1
    return google_calendar


def channel_of(calendar) -> PushChannel:
    return PushChannel.objects.get(account_id=calendar.pk)


def headers(channel, **changes):
    sent = {
        "HTTP_X_GOOG_CHANNEL_ID": channel.channel_id,
        "HTTP_X_GOOG_CHANNEL_TOKEN": channel.token,
        "HTTP_X_GOOG_RESOURCE_ID": channel.resource_id,
        "HTTP_X_GOOG_RESOURCE_STATE": "exists",
        "HTTP_X_GOOG_MESSAGE_NUMBER": "2",
    }
    sent.update(changes)
    return sent


def test_the_channel_is_opened_at_google_with_our_address_and_secret(watched, live_server):
    channel = channel_of(watched)
    at_google = GoogleCalendarChannel.objects.get(channel_id=channel.channel_id)
    assert at_google.address == f"{live_server.url}{NOTIFY}"
    assert at_google.token == channel.token and len(channel.token) >= 40
    assert at_google.resource_id == channel.resource_id
    assert abs(channel.expires_at - at_google.expiration) < timedelta(seconds=1)
    assert channel.credential_id == watched.credential_id
    # Already watched: nothing more to open.
    assert push.maintain()["opened"] == 0


def test_a_change_in_google_calendar_reaches_the_api_through_a_worker(
    watched, celery_worker, api_a
):
    event = add("Pushed", days=2)
    row = wait_for(lambda: CalendarEvent.objects.filter(provider_event_id=event.event_id).first())
    assert row.title == "Pushed"
    pushed = SyncLog.objects.filter(trigger=push.TRIGGER, status=SyncLog.Status.SUCCESS)
    log = wait_for(pushed.first)
    assert log.created == 1
    listed = api_a.get("/api/calendar/events").json()["results"]
    assert [e["title"] for e in listed] == ["Pushed"]
    channel = channel_of(watched)
    assert channel.notifications == 1 and channel.last_notification_at is not None
    state = api_a.get(f"/api/calendar/integrations/{watched.pk}").json()["push"]
    assert state["state"] == "active" and state["last_notification_at"]
    wait_for(lambda: not PushedSync.objects.exists())


@pytest.mark.parametrize(
    "forged",
    [
        {"HTTP_X_GOOG_CHANNEL_TOKEN": "guessed"},
        {"HTTP_X_GOOG_CHANNEL_TOKEN": ""},
        {"HTTP_X_GOOG_CHANNEL_ID": "unknown-channel"},
        {"HTTP_X_GOOG_RESOURCE_ID": "another-resource"},
        {"HTTP_X_GOOG_CHANNEL_TOKEN": "é" * 40},
    ],
)
def test_a_forged_notification_answers_403_and_triggers_nothing(watched, client, forged):
    channel = channel_of(watched)
    answer = client.post(NOTIFY, **headers(channel, **forged))
    assert answer.status_code == 403
    assert not PushedSync.objects.exists()
    channel.refresh_from_db()
    assert channel.notifications == 0


def test_a_notification_without_headers_answers_403_and_the_sync_handshake_200(watched, client):
    assert client.post(NOTIFY).status_code == 403
    assert client.get(NOTIFY).status_code == 405
    # The first message of a channel may beat the watch's answer: acknowledged, it changes nothing.
    handshake = client.post(NOTIFY, HTTP_X_GOOG_RESOURCE_STATE="sync")
    assert handshake.status_code == 200
    assert not PushedSync.objects.exists()


def test_a_burst_of_notifications_runs_the_sync_once_and_then_once_more(watched, client):
    """No worker: the queued task waits, as it would behind a busy worker."""
    channel = channel_of(watched)
    for number in range(20):
        answer = client.post(NOTIFY, **headers(channel, HTTP_X_GOOG_MESSAGE_NUMBER=str(number)))
        assert answer.status_code == 200
    assert list(PushedSync.objects.values_list("key", "again")) == [(str(watched.pk), True)]

    add("During the burst")
    sync_account.apply((str(watched.pk),), {"trigger": push.TRIGGER})
    # The pushes that came while it was queued run it once more, not nineteen times.
    assert list(PushedSync.objects.values_list("again", flat=True)) == [False]
    sync_account.apply((str(watched.pk),), {"trigger": push.TRIGGER})
    assert not PushedSync.objects.exists()
    assert SyncLog.objects.filter(trigger=push.TRIGGER).count() == 2
    assert CalendarEvent.objects.filter(title="During the burst").count() == 1


def test_a_pushed_sync_that_finds_the_account_busy_runs_again_later(watched, client):
    channel = channel_of(watched)
    client.post(NOTIFY, **headers(channel))
    held = Lock(f"sync:{watched.account_key}", timedelta(minutes=1))
    assert held.acquire()
    sync_account.apply((str(watched.pk),), {"trigger": push.TRIGGER})
    log = SyncLog.objects.get(trigger=push.TRIGGER)
    assert log.status == SyncLog.Status.SKIPPED
    # Never in parallel, and not forgotten: the request stays for the retry.
    assert PushedSync.objects.filter(key=str(watched.pk)).exists()


def test_a_lost_pushed_sync_does_not_hold_later_pushes_back(watched, client, settings):
    PushedSync.objects.create(key=str(watched.pk))
    PushedSync.objects.update(queued_at=timezone.now() - timedelta(seconds=settings.SYNC_LOCK_TTL))
    assert push.request_sync(push.KINDS["google_calendar"], watched.pk) is True
    assert PushedSync.objects.get().again is False


def test_a_channel_about_to_expire_is_renewed_and_the_old_one_stopped(watched):
    old = channel_of(watched)
    PushChannel.objects.filter(pk=old.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    assert push.maintain()["renewed"] == 1
    new = channel_of(watched)
    assert new.channel_id != old.channel_id
    stopped = GoogleCalendarChannel.objects.get(channel_id=old.channel_id)
    assert stopped.stopped_at is not None
    assert GoogleCalendarChannel.objects.get(channel_id=new.channel_id).stopped_at is None


def test_an_expired_or_stopped_channel_hears_nothing(watched):
    at_google = GoogleCalendarChannel.objects.get(channel_id=channel_of(watched).channel_id)
    number = at_google.message_number
    GoogleCalendarChannel.objects.filter(pk=at_google.pk).update(
        expiration=timezone.now() - timedelta(seconds=1)
    )
    add("Unannounced")
    at_google.refresh_from_db()
    assert at_google.message_number == number
    # Ours is forgotten when it expires; the next maintenance opens a new one.
    PushChannel.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    done = push.maintain()
    assert (done["expired"], done["opened"]) == (1, 1)


def test_disconnecting_stops_the_channel_at_google(watched, api_a):
    channel = channel_of(watched)
    assert api_a.delete(f"/api/integrations/{watched.credential_id}").status_code == 204
    assert not PushChannel.objects.exists()
    at_google = GoogleCalendarChannel.objects.get(channel_id=channel.channel_id)
    assert at_google.stopped_at is not None


def test_polls_stretch_while_push_works_and_return_when_renewal_fails(watched, api_a, settings):
    def polled():
        return set(
            push.poll_less(syncing_accounts(CalendarIntegration)).values_list("pk", flat=True)
        )

    # Healthy channel and a recent sync: polled PUSH_POLL_MINUTES apart.
    assert polled() == set()
    watched.credential.__class__.objects.filter(pk=watched.credential_id).update(
        last_success_at=timezone.now() - timedelta(minutes=settings.PUSH_POLL_MINUTES + 1)
    )
    assert polled() == {watched.pk}
    watched.credential.__class__.objects.filter(pk=watched.credential_id).update(
        last_success_at=timezone.now()
    )
    assert polled() == set()

    # Renewal refused by Google: the channel is failed, with the reason, and polling is back.
    PushChannel.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    faults.inject("google", r"/events/watch$", status=403, times=None)
    assert push.maintain()["failed"] == 1
    state = api_a.get(f"/api/calendar/integrations/{watched.pk}").json()["push"]
    assert state["state"] == "failed" and state["reason"]
    assert polled() == {watched.pk}

    settings.PUSH_NOTIFICATIONS = False
    assert polled() == {watched.pk}


def test_a_push_google_dropped_is_caught_and_the_next_one_arrives(watched, celery_worker):
    """The fault switch drops one notification; the next change's notification still comes."""
    channel_id = channel_of(watched).channel_id
    fault = faults.inject("google", rf"^/push/calendar/{channel_id}$", status=500, times=1)
    dropped = add("Dropped push")
    wait_for(lambda: fault.__class__.objects.get(pk=fault.pk).remaining == 0)
    add("Delivered push", days=3)
    wait_for(lambda: CalendarEvent.objects.filter(title="Delivered push").exists())
    assert channel_of(watched).notifications == 1
    # The pushed sync reads every change since the last one, the unannounced one too.
    assert CalendarEvent.objects.filter(provider_event_id=dropped.event_id).exists()


def test_push_is_off_without_the_setting(google_calendar, settings):
    settings.PUSH_NOTIFICATIONS = False
    assert push.maintain() == {"opened": 0, "renewed": 0, "failed": 0, "expired": 0}
    assert not GoogleCalendarChannel.objects.exists()
    assert push.state_of(google_calendar.pk)["state"] == "off"


def test_the_settings_page_says_whether_changes_are_pushed(watched, alice, client):
    client.force_login(alice)
    page = client.get("/settings/integrations").content.decode()
    assert 'data-push="active"' in page
    PushChannel.objects.update(status=PushChannel.Status.FAILED, last_error="watch refused")
    page = client.get("/settings/integrations").content.decode()
    assert 'data-push="failed"' in page and "watch refused" in page


def test_a_quiet_or_failed_channel_brings_polling_back_and_shows_in_health(
    watched, settings, make_user, client_for
):
    def polled():
        accounts = push.poll_less(syncing_accounts(CalendarIntegration))
        return set(accounts.values_list("pk", flat=True))

    staff = client_for(make_user("operator", is_staff=True))

    def degraded():
        problems = staff.get("/api/health/detail").json()["problems"]
        return [(p["provider"], p["count"]) for p in problems if p["check"] == "push_degraded"]

    assert polled() == set() and degraded() == []
    hours = settings.PUSH_QUIET_HOURS
    PushChannel.objects.update(last_notification_at=timezone.now() - timedelta(hours=hours + 1))
    assert polled() == {watched.pk}
    assert degraded() == [("google_calendar", 1)]
    PushChannel.objects.update(
        last_notification_at=timezone.now(), status=PushChannel.Status.FAILED
    )
    assert polled() == {watched.pk}
    assert degraded() == [("google_calendar", 1)]


def test_a_newly_connected_calendar_is_watched_at_once(google_calendar, settings):
    """Right after its first sync (trigger "connect"), not at the next maintenance."""
    settings.PUSH_NOTIFICATIONS = True
    services.sync_events(google_calendar)
    assert push.ensure(google_calendar) == ["opened"]
    assert GoogleCalendarChannel.objects.get().channel_id == channel_of(google_calendar).channel_id
    assert push.ensure(google_calendar) == [""]
    settings.PUSH_NOTIFICATIONS = False
    assert push.ensure(google_calendar) == []
