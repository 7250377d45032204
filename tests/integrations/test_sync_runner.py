"""The sync runner with the example provider (tests/integrations/sync_example.py)."""

from datetime import timedelta

import pytest
import sentry_sdk
from django.utils import timezone

from clianta.models import Contact, CrmEvent
from integrations import sync
from integrations.errors import AuthExpired, ProviderError, RateLimited, Transient
from integrations.health import AUTH_FAILURE_LIMIT, Health, health_of, with_health
from integrations.locks import Lock
from integrations.models import HeldLock, IntegrationCredential, SyncLog
from tests.conftest import in_parallel
from tests.integrations.sync_example import ExampleJob
from tests.integrations.test_secrets_masked import CapturingTransport

PAGES = [
    [{"email": "ann@example.com", "first_name": "Ann"}, {"email": "bob@example.com"}],
    [{"email": "cy@example.com"}, {"email": "noreply@example.com", "blocked": True}],
    [{"email": "dee@example.com"}, {"email": "bob@example.com", "deleted": True}],
]
FINAL = {"ann@example.com", "cy@example.com", "dee@example.com"}


@pytest.fixture
def credential(workspace_a):
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="example",
        api_key="example-key-0001",
        metadata={"remote": PAGES},
    )


def set_faults(credential, *faults):
    metadata = credential.metadata
    metadata["faults"] = list(faults)
    IntegrationCredential.objects.filter(pk=credential.pk).update(metadata=metadata)


def emails(workspace):
    return set(Contact.objects.filter(workspace=workspace).values_list("email", flat=True))


def reload(credential):
    return IntegrationCredential.objects.get(pk=credential.pk)


@pytest.mark.django_db
def test_a_run_logs_what_it_created_updated_deleted_and_skipped(credential, workspace_a):
    """S10: the SyncLog counts every outcome and says why rows were skipped."""
    log = sync.run(ExampleJob(credential))
    assert log.status == SyncLog.Status.SUCCESS
    assert (log.created, log.updated, log.deleted, log.skipped) == (4, 0, 1, 1)
    assert log.skip_reasons == {"blocked sender": 1}
    assert log.pages == 3 and log.finished_at is not None
    assert emails(workspace_a) == FINAL
    assert health_of(reload(credential)) == Health.HEALTHY


@pytest.mark.django_db
def test_storing_the_same_page_twice_leaves_the_same_rows(credential, workspace_a):
    """S1: upserts keyed by account and provider id."""
    job = ExampleJob(credential)
    page = sync.Page(items=PAGES[0], cursor=1)
    first = job.store(page)
    second = job.store(page)
    assert (first.created, second.created, second.updated) == (2, 0, 2)
    assert Contact.objects.filter(workspace=workspace_a).count() == 2


@pytest.mark.django_db
def test_a_crash_between_pages_resumes_at_the_next_page(credential, workspace_a):
    """S2: page 0 is committed with its cursor; the crash on page 1 loses nothing, and the next
    run resumes at page 1 and reaches the same final state with no duplicate."""
    set_faults(credential, {"page": 1, "error": "crash"})
    with pytest.raises(RuntimeError):
        sync.run(ExampleJob(credential))
    crashed = SyncLog.objects.get()
    assert crashed.status == SyncLog.Status.FAILED and "worker crashed" in crashed.error
    assert emails(workspace_a) == {"ann@example.com", "bob@example.com"}
    assert ExampleJob(credential).cursor() == 1

    resumed = sync.run(ExampleJob(credential))
    assert resumed.status == SyncLog.Status.SUCCESS
    assert resumed.pages == 2  # pages 1 and 2 only
    assert emails(workspace_a) == FINAL
    assert Contact.objects.filter(workspace=workspace_a).count() == len(FINAL)


@pytest.mark.django_db
def test_the_cursor_commits_with_its_page_or_not_at_all(credential, workspace_a):
    """S3: a failure after a page's rows are written but before its cursor is saved rolls both
    back, so the page is fetched again rather than skipped."""
    pages = [PAGES[0], [{"email": "eve@example.com", "fail_before_cursor": True}]]
    IntegrationCredential.objects.filter(pk=credential.pk).update(metadata={"remote": pages})
    with pytest.raises(RuntimeError):
        sync.run(ExampleJob(reload(credential)))
    assert emails(workspace_a) == {"ann@example.com", "bob@example.com"}
    assert ExampleJob(credential).cursor() == 1


def test_retry_delays_follow_the_backoff_and_honour_retry_after():
    """S5: 429 with Retry-After: 30 waits at least 30 s; without it delays grow (about 1, 5,
    30 s, ±20 % jitter); retries are bounded; only transient errors are retried."""
    for _ in range(200):
        assert sync.retry_countdown(RateLimited("429", retry_after=30), 0) >= 30
        delays = [sync.retry_countdown(Transient("503"), n) for n in range(3)]
        for delay, base in zip(delays, (1, 5, 30), strict=True):
            assert base * 0.8 <= delay <= base * 1.2
        assert delays[0] < delays[1] < delays[2]
    assert sync.retry_countdown(Transient("503"), 3) is None
    assert sync.retry_countdown(RateLimited("429", retry_after=30), 3) is None
    assert sync.retry_countdown(AuthExpired("revoked"), 0) is None
    assert sync.retry_countdown(ProviderError("bad request", status=400), 0) is None


@pytest.mark.django_db
def test_a_transient_failure_is_logged_as_retrying_until_the_last_attempt(credential):
    set_faults(credential, {"page": 0, "error": "transient", "times": 2})
    with pytest.raises(Transient):
        sync.run(ExampleJob(credential), final=False)
    assert SyncLog.objects.get().status == SyncLog.Status.RETRYING
    assert reload(credential).consecutive_failures == 0  # not a failed run yet
    assert not CrmEvent.objects.filter(type="sync.failed").exists()  # a retry is not a failure
    with pytest.raises(Transient):
        sync.run(ExampleJob(credential), final=True)
    failed = CrmEvent.objects.get(type="sync.failed")
    assert failed.data["sync_log_id"] == str(SyncLog.objects.get(status=SyncLog.Status.FAILED).pk)
    assert reload(credential).consecutive_failures == 1
    assert health_of(reload(credential)) == Health.FAILING
    assert sync.run(ExampleJob(credential)).status == SyncLog.Status.SUCCESS
    assert reload(credential).consecutive_failures == 0


@pytest.mark.django_db
def test_repeated_auth_failures_disable_syncs_and_others_do_not_count(credential):
    """S8: 401s in a row disable the account's syncs; 429s and 5xx do not count; a success
    resets the count."""
    set_faults(
        credential,
        {"page": 0, "error": "auth", "times": AUTH_FAILURE_LIMIT - 1},
    )
    for _ in range(AUTH_FAILURE_LIMIT - 1):
        sync.run(ExampleJob(credential))
    set_faults(credential, {"page": 0, "error": "rate_limited", "times": 3})
    for _ in range(3):
        with pytest.raises(RateLimited):
            sync.run(ExampleJob(credential), final=True)
    assert reload(credential).sync_enabled
    assert reload(credential).consecutive_auth_failures == AUTH_FAILURE_LIMIT - 1
    sync.run(ExampleJob(credential))  # success resets
    assert reload(credential).consecutive_auth_failures == 0

    set_faults(credential, {"page": 0, "error": "auth", "times": AUTH_FAILURE_LIMIT})
    for _ in range(AUTH_FAILURE_LIMIT):
        sync.run(ExampleJob(credential))
    disabled = reload(credential)
    assert not disabled.sync_enabled
    assert health_of(disabled) == Health.DISABLED
    skipped = sync.run(ExampleJob(disabled))
    assert skipped.status == SyncLog.Status.SKIPPED
    assert skipped.skip_reasons == {sync.SKIP_DISABLED: 1}


@pytest.mark.django_db
def test_an_expired_grant_stops_the_run_without_retry(credential):
    set_faults(credential, {"page": 0, "error": "expired"})
    log = sync.run(ExampleJob(credential))
    assert log.status == SyncLog.Status.FAILED
    IntegrationCredential.objects.filter(pk=credential.pk).update(
        status=IntegrationCredential.Status.NEEDS_RECONNECT
    )
    skipped = sync.run(ExampleJob(reload(credential)))
    assert skipped.skip_reasons == {sync.SKIP_RECONNECT: 1}


@pytest.mark.django_db
def test_a_run_finding_the_account_locked_is_logged_as_skipped(credential):
    """S6: while another holder has the account's lock, a run is skipped and says why."""
    holder = Lock(f"sync:example:{credential.pk}", timedelta(minutes=5))
    assert holder.acquire()
    log = sync.run(ExampleJob(credential))
    assert log.status == SyncLog.Status.SKIPPED
    assert log.skip_reasons == {sync.SKIP_LOCKED: 1}
    assert not Contact.objects.exists()


def run_holding_the_lock(credential, ttl: timedelta, **fields) -> SyncLog:
    """A "running" SyncLog of ``credential``'s ExampleJob that holds the account's lock."""
    lock = Lock(f"sync:example:{credential.pk}", ttl)
    assert lock.acquire()
    return SyncLog.objects.create(
        workspace=credential.workspace,
        provider="example",
        kind="contacts",
        credential=credential,
        account="x",
        account_key=f"example:{credential.pk}",
        lock_token=lock.token,
        **fields,
    )


def test_a_redelivered_task_takes_over_the_lock_of_its_dead_first_run(credential):
    """S7: the same task delivered again (its worker died) does not wait for the dead run's
    lock to expire; that run is marked failed. Another task still finds the account locked."""
    dead = run_holding_the_lock(credential, timedelta(minutes=15), task_id="task-1")
    assert sync.run(ExampleJob(credential), task_id="task-2").status == SyncLog.Status.SKIPPED

    log = sync.run(ExampleJob(credential), task_id="task-1")

    assert log.status == SyncLog.Status.SUCCESS and Contact.objects.exists()
    dead.refresh_from_db()
    assert dead.status == SyncLog.Status.FAILED and "delivered again" in dead.error
    assert not HeldLock.objects.exists()


@pytest.mark.django_db
def test_an_expired_lock_is_taken_over_and_its_stale_holder_cannot_release_it():
    """S6: a dead worker's lock expires; the stale holder cannot release or extend the new
    holder's lock."""
    stale = Lock("sync:x", timedelta(minutes=5))
    assert stale.acquire()
    HeldLock.objects.filter(key="sync:x").update(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = Lock("sync:x", timedelta(minutes=5))
    assert fresh.acquire()
    stale.release()
    assert HeldLock.objects.get(key="sync:x").token == fresh.token
    with pytest.raises(Exception, match="sync:x"):
        stale.extend()
    assert not Lock("sync:x", timedelta(minutes=5)).acquire()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_one_account_at_once_run_once(credential, workspace_a):
    """S6 on PostgreSQL: two runs started together by a barrier: one runs, one is skipped."""
    logs = in_parallel(lambda: sync.run(ExampleJob(reload(credential))))
    statuses = sorted(log.status for log in logs)
    assert statuses == [SyncLog.Status.SKIPPED, SyncLog.Status.SUCCESS]
    assert emails(workspace_a) == FINAL


@pytest.mark.django_db
def test_the_watchdog_fails_runs_stuck_past_the_time_limit_and_frees_their_lock(
    credential, settings
):
    """S9."""
    stuck = run_holding_the_lock(credential, timedelta(hours=2))
    SyncLog.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    recent = SyncLog.objects.create(
        workspace=credential.workspace,
        provider="example",
        kind="contacts",
        account="y",
        account_key="example:other",
    )
    assert health_of(with_health(IntegrationCredential.objects.all()).get()) == Health.SYNCING
    assert sync.watchdog() == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == SyncLog.Status.FAILED and "watchdog" in stuck.error
    assert recent.status == SyncLog.Status.RUNNING  # within its time limit: left alone
    assert not HeldLock.objects.exists()
    assert sync.run(ExampleJob(credential)).status == SyncLog.Status.SUCCESS


@pytest.mark.django_db
def test_sentry_hears_of_a_failed_run_once_not_of_each_retry(credential):
    transport = CapturingTransport()
    sentry_sdk.init("https://public@example.invalid/1", transport=transport)
    try:
        set_faults(credential, {"page": 0, "error": "transient", "times": 3})
        for final in (False, False, True):
            with pytest.raises(Transient):
                sync.run(ExampleJob(credential), final=final)
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()
    events = [e for e in transport.events if e.get("exception")]
    assert len(events) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_rate_limited_sync_after_retry_after(celery_worker, credential):
    """S5 through a real worker: the 429 run is logged as retrying, the task comes back after
    Retry-After and the second attempt completes the sync."""
    from tests.conftest import wait_for
    from tests.integrations.sync_example import sync as example_sync

    set_faults(credential, {"page": 1, "error": "rate_limited", "retry_after": 1})
    example_sync.delay(str(credential.pk), trigger="manual")
    done = wait_for(lambda: SyncLog.objects.filter(status=SyncLog.Status.SUCCESS).first())
    first = SyncLog.objects.get(status=SyncLog.Status.RETRYING)
    assert (first.attempt, done.attempt) == (1, 2)
    assert done.task_id == first.task_id
    assert done.started_at >= first.finished_at
    assert emails(credential.workspace) == FINAL


def test_a_run_past_its_time_slice_stops_after_a_page_and_queues_the_next(
    credential, workspace_a, settings, _unconsumed_queue
):
    """Many big first syncs take turns: each run stores at least a page, then goes behind the
    runs queued meanwhile (in the broker's queue, as a new task)."""
    import redis

    from tests.integrations.sync_example import sync as example_sync

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queued = broker.llen(_unconsumed_queue)
    settings.SYNC_SLICE_SECONDS = 0
    example_sync.apply((str(credential.pk),))
    first = SyncLog.objects.get()
    assert (first.status, first.pages, first.continued) == (SyncLog.Status.SUCCESS, 1, True)
    assert emails(workspace_a) == {"ann@example.com", "bob@example.com"}
    assert broker.llen(_unconsumed_queue) == queued + 1

    while SyncLog.objects.count() < 5 and SyncLog.objects.order_by("-started_at")[0].continued:
        example_sync.apply((str(credential.pk),), {"trigger": "continue"})
    assert emails(workspace_a) == FINAL
    assert SyncLog.objects.filter(trigger="continue").count() >= 2
    settings.SYNC_SLICE_SECONDS = 60
    example_sync.apply((str(credential.pk),))
    assert not SyncLog.objects.order_by("-started_at")[0].continued
