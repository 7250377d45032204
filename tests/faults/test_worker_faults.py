"""The fault suite's infrastructure faults, with real processes: a Celery worker killed in the
middle of a sync and another started (S7), and Redis restarted under a running sync. Each runs
against a Redis server of its own, so restarting it disturbs no other test.

Afterwards the account's data equals the provider's: nothing lost, nothing doubled.
"""

import shutil
import socket
import subprocess
import time
import uuid

import pytest

from clianta import celery_app
from integrations.models import SyncLog
from sandbox import faults
from tests.conftest import missing_service, start_worker, wait_for
from tests.email_accounts.conftest import gmail_account  # noqa: F401 - fixture

from . import targets

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 250  # three pages of 100
SLOW_BATCH_MS = 700  # each page fetches two batches: a page takes well over a second
# Seconds before Redis hands an unacknowledged task out again. kombu looks for such tasks when
# a worker starts, then only every 100 s (10 s interval, throttled 10 times), so the second
# worker starts once the task is overdue.
VISIBILITY_TIMEOUT = 6


class RedisServer:
    """A redis-server process on a free loopback port, keeping nothing on disk."""

    def __init__(self, directory):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self._answers, timeout=10)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        missing_service("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(live_server, redis_server, tmp_path):
    """Starts workers on the private Redis; stops whatever is left at the end."""
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    started = []

    def start():
        worker = start_worker(
            live_server,
            tmp_path / "worker.log",
            queue,
            CELERY_BROKER_URL=redis_server.url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            SYNC_LOCK_TTL="3",
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop()


def queue_sync(target, redis_url, queue):
    with celery_app.connection_for_write(redis_url) as connection:
        target.task.apply_async(
            args=[str(target.account.pk)],
            kwargs={"trigger": "manual"},
            connection=connection,
            queue=queue,
        )


def running_with_a_page_done(target):
    return SyncLog.objects.filter(
        account_key=target.account.account_key, status=SyncLog.Status.RUNNING, pages__gte=1
    ).first()


def succeeded(target):
    return SyncLog.objects.filter(
        account_key=target.account.account_key, status=SyncLog.Status.SUCCESS
    ).first()


def test_a_worker_killed_mid_sync_is_replaced_and_the_sync_resumes(
    gmail_account,  # noqa: F811
    redis_server,
    workers,
):
    """S7: the task of a killed worker is delivered again (acks_late), the new run resumes from
    the cursor saved with the last page, and the mailbox ends with one set of rows."""
    target = targets.gmail(gmail_account)
    target.seed(MESSAGES)
    faults.inject("google", r"/batch/", delay_ms=SLOW_BATCH_MS, times=None)
    first = workers()
    queue_sync(target, redis_server.url, first.queue)
    queued_at = time.monotonic()
    killed_run = wait_for(lambda: running_with_a_page_done(target), timeout=60)
    first.kill()
    stored_before = len(target.local_ids())
    assert 0 < stored_before < MESSAGES  # killed between pages, not before or after

    faults.clear()
    time.sleep(max(0.0, queued_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    workers()

    finished = wait_for(lambda: succeeded(target), timeout=90)
    assert finished.pk != killed_run.pk
    assert finished.created == MESSAGES - stored_before  # resumed, not started over
    target.assert_same_data()


def test_redis_restarted_under_a_running_sync(gmail_account, redis_server, workers):  # noqa: F811
    """The sync in flight finishes with the broker gone and back, and the next sync runs;
    nothing is lost or doubled. kombu 5.7's Redis transport may end the worker on the lost
    connection (an AttributeError while closing the channel); in production its supervisor
    starts it again (docker/compose.yaml: restart: unless-stopped), and so does this test."""
    target = targets.gmail(gmail_account)
    target.seed(MESSAGES)
    faults.inject("google", r"/batch/", delay_ms=SLOW_BATCH_MS, times=None)
    worker = workers()
    queue_sync(target, redis_server.url, worker.queue)
    wait_for(lambda: running_with_a_page_done(target), timeout=60)

    redis_server.restart()

    wait_for(lambda: succeeded(target), timeout=90)
    target.assert_same_data()
    faults.clear()
    wait_for(lambda: worker.process.poll() is not None or worker.log().count("Connected to") > 1)
    if worker.process.poll() is not None:
        worker = workers()  # what the supervisor does
    target.seed(5)
    deadline = time.monotonic() + 60
    while len(target.local_ids()) < MESSAGES + 5 and time.monotonic() < deadline:
        queue_sync(target, redis_server.url, worker.queue)  # the worker may still reconnect
        time.sleep(2)
    target.assert_same_data()
