"""The sync runner every app's sync task uses.

One run of one account: take the account's lock (or log the run as skipped), then for each page
the provider gives, store its rows and the cursor that follows them in one transaction, so a run
killed anywhere resumes from the last stored page with nothing lost or doubled. A run stops after
``SYNC_SLICE_SECONDS`` (``continued``) and its task queues the next, so that many big first
syncs take turns on the workers. Every run writes a SyncLog; the account's health is updated from
the outcome.
"""

from __future__ import annotations

import logging
import random
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clianta import events, logcontext, scrub

from . import health, metrics
from .errors import AuthExpired, ProviderError, Transient, retry_delay
from .locks import Lock, LockLost, release_token
from .models import IntegrationCredential, SyncLog

logger = logging.getLogger("integrations.sync")
Status = SyncLog.Status

#: Delays before the 1st, 2nd and 3rd retry of a transient failure, as the original service had;
#: each is jittered by ±20 %. A Retry-After from the provider waits at least that long.
BACKOFF_SECONDS = (1, 5, 30)
JITTER = 0.2
SKIP_LOCKED = "another sync of this account is running"
SKIP_RECONNECT = "the account needs to be reconnected"
SKIP_DISABLED = "syncs are disabled for this account"


@dataclass
class Page:
    """One page from the provider, and the cursor that resumes after it."""

    items: list
    cursor: Any


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    skip_reasons: Counter = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.skip_reasons[reason] += n

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.skipped += other.skipped
        self.skip_reasons.update(other.skip_reasons)


class SyncJob(ABC):
    """One account's sync, implemented by each app for each provider."""

    #: What is synced: email, calendar, knowledge, …
    kind: str
    #: The SyncLog of the run under way (set by the runner), for jobs that record details of
    #: their own against it.
    log: SyncLog | None = None

    def __init__(self, credential: IntegrationCredential):
        self.credential = credential

    @property
    @abstractmethod
    def account_key(self) -> str:
        """Unique per synced account, e.g. ``email_accounts.emailaccount:<id>``."""

    @property
    def account_name(self) -> str:
        return self.credential.account or self.credential.provider

    @abstractmethod
    def cursor(self) -> Any:
        """The stored cursor (None for a first, full sync)."""

    @abstractmethod
    def pages(self, cursor: Any) -> Iterator[Page]:
        """Fetch from the provider, page by page, from ``cursor``. Raise the error tree."""

    @abstractmethod
    def store(self, page: Page) -> Counts:
        """Upsert the page's rows and save ``page.cursor``; runs inside one transaction."""

    @abstractmethod
    def reset(self) -> None:
        """Forget the cursor, so the next run is a full resync."""

    def paused(self) -> str:
        """Why the account is paused (over its workspace plan's limit), or "" when it syncs."""
        return ""


def retry_countdown(exc: Exception, retries_done: int) -> float | None:
    """Seconds to wait before retrying after ``exc``, or None: not retryable or out of retries.

    Decided from the error's class alone: only ``Transient`` (timeouts, 5xx, 429) is retried.
    """
    if not isinstance(exc, Transient) or retries_done >= len(BACKOFF_SECONDS):
        return None
    delay = BACKOFF_SECONDS[retries_done] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
    return retry_delay(exc, delay)


def _take_over_from_a_dead_delivery(lock: Lock, log: SyncLog, job: SyncJob) -> bool:
    """A task delivered again because its worker died (acks_late) finds the lock of its own
    first delivery: the same task id, still "running". That run is gone, so its lock is taken
    over and the run marked failed, instead of the redelivery being skipped until the lock
    expires."""
    if not log.task_id:
        return False
    dead = (
        SyncLog.objects.filter(
            account_key=job.account_key, task_id=log.task_id, status=Status.RUNNING
        )
        .exclude(pk=log.pk)
        .first()
    )
    if dead is None or not dead.lock_token or not lock.take_over(dead.lock_token):
        return False
    _finish(dead, Status.FAILED, "the worker running it stopped; the task was delivered again")
    return True


def lock_ttl() -> timedelta:
    return timedelta(seconds=settings.SYNC_LOCK_TTL)


def queue(job: SyncJob, trigger: str) -> SyncLog:
    """A SyncLog for a run about to be queued, so callers can follow it by id at once."""
    return SyncLog.objects.create(**_identity(job), trigger=trigger, status=Status.QUEUED)


def _identity(job: SyncJob) -> dict:
    credential = job.credential
    return {
        "workspace_id": credential.workspace_id,
        "provider": credential.provider,
        "kind": job.kind,
        "credential": credential,
        "account": job.account_name,
        "account_key": job.account_key,
    }


def run(
    job: SyncJob,
    *,
    trigger: str = "schedule",
    attempt: int = 1,
    final: bool = True,
    task_id="",
    log_id=None,
) -> SyncLog:
    """Run ``job`` once. ``final`` says whether a transient failure ends the run for good (it is
    re-raised either way, for the task to retry). ``log_id`` names the queued SyncLog to fill."""
    with logcontext.bound(workspace_id=job.credential.workspace_id):
        return _run(job, trigger, attempt, final, task_id, log_id)


def _run(job: SyncJob, trigger: str, attempt: int, final: bool, task_id, log_id) -> SyncLog:
    credential = job.credential
    lock = Lock(f"sync:{job.account_key}", lock_ttl())
    log = SyncLog.objects.filter(pk=log_id, status=Status.QUEUED).first() if log_id else None
    log = log or SyncLog(**_identity(job))
    log.trigger, log.attempt, log.task_id = trigger, attempt, task_id or ""
    credential.refresh_from_db(fields=["status", "sync_enabled"])
    if credential.status != IntegrationCredential.Status.ACTIVE:
        return _skip(log, SKIP_RECONNECT)
    if not credential.sync_enabled:
        return _skip(log, SKIP_DISABLED)
    if paused := job.paused():
        return _skip(log, paused)
    if not lock.acquire() and not _take_over_from_a_dead_delivery(lock, log, job):
        return _skip(log, SKIP_LOCKED)
    log.lock_token = lock.token
    log.status = Status.RUNNING
    log.save()
    job.log = log
    metrics.SYNCS_STARTED.labels(credential.provider).inc()
    began = time.monotonic()
    totals = Counts()
    slice_ends = time.monotonic() + settings.SYNC_SLICE_SECONDS
    try:
        for page in job.pages(job.cursor()):
            with transaction.atomic():
                totals.add(job.store(page))
                log.pages += 1
                _progress(log, totals)
            lock.extend()
            if time.monotonic() > slice_ends:
                # The page's cursor is stored: the next run (queued by the task) goes on.
                log.continued = True
                log.save(update_fields=["continued"])
                break
    except AuthExpired as exc:
        metrics.provider_error(credential.provider, exc)
        _finish(log, Status.FAILED, exc.message)
        health.record_failure(credential.pk, exc.message, auth=True)
    except Transient as exc:
        metrics.provider_error(credential.provider, exc)
        _finish(log, Status.FAILED if final else Status.RETRYING, exc.message)
        if final:
            health.record_failure(credential.pk, exc.message, auth=False)
            sentry_sdk.capture_exception(exc)
        raise
    except (ProviderError, LockLost) as exc:
        message = getattr(exc, "message", f"lock lost: {exc}")
        if isinstance(exc, ProviderError):
            metrics.provider_error(credential.provider, exc)
        _finish(log, Status.FAILED, message)
        health.record_failure(
            credential.pk, message, auth=getattr(exc, "status", None) in (401, 403)
        )
        sentry_sdk.capture_exception(exc)
    except Exception as exc:
        _finish(log, Status.FAILED, f"internal error: {type(exc).__name__}: {exc}")
        health.record_failure(credential.pk, "internal error", auth=False)
        raise
    else:
        _finish(log, Status.SUCCESS)
        health.record_success(credential.pk)
    finally:
        lock.release()
        metrics.SYNC_DURATION.labels(credential.provider).observe(time.monotonic() - began)
    return log


def _skip(log: SyncLog, reason: str) -> SyncLog:
    log.status = Status.SKIPPED
    log.finished_at = timezone.now()
    log.skip_reasons = {reason: 1}
    log.save()
    logger.info("sync.skipped", extra={"account": log.account_key, "reason": reason})
    return log


def _progress(log: SyncLog, totals: Counts) -> None:
    log.created, log.updated, log.deleted = totals.created, totals.updated, totals.deleted
    log.skipped, log.skip_reasons = totals.skipped, dict(totals.skip_reasons)
    log.save(update_fields=["created", "updated", "deleted", "skipped", "skip_reasons", "pages"])


def _finish(log: SyncLog, status: str, error: str = "") -> None:
    log.status = status
    log.error = scrub.scrub_text(error)
    log.finished_at = timezone.now()
    with transaction.atomic():
        log.save(update_fields=["status", "error", "finished_at"])
        if status == Status.FAILED:
            events.emit(
                events.SYNC_FAILED,
                str(log.workspace_id),
                integration_id=str(log.credential_id) if log.credential_id else None,
                provider=log.provider,
                sync_log_id=str(log.pk),
                error=log.error[:300],
            )
    metrics.sync_finished(log.provider, status)
    logger.info(
        "sync.finished",
        extra={"account": log.account_key, "status": status, "rows_created": log.created},
    )


def watchdog() -> int:
    """Mark runs still "running" past the task time limit as failed and free their locks."""
    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    stuck = list(SyncLog.objects.filter(status=Status.RUNNING, started_at__lt=cutoff))
    for log in stuck:
        _finish(log, Status.FAILED, "stopped by the watchdog: still running past the time limit")
        release_token(log.lock_token)
        if log.credential_id:
            health.record_failure(log.credential_id, log.error, auth=False)
    return len(stuck)
