"""The framework's Celery pieces: the base class of every sync task, and the watchdog."""

from celery import Task, shared_task

from . import sync
from .errors import Transient


class SyncTask(Task):
    """Base of the apps' sync tasks: late acknowledgement (a killed worker's task is delivered
    again), and retries decided from the error's class alone (see ``sync.retry_countdown``)."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = len(sync.BACKOFF_SECONDS)

    def run_job(self, job: sync.SyncJob, trigger: str, log_id=None):
        retries = self.request.retries
        try:
            return sync.run(
                job,
                trigger=trigger,
                attempt=retries + 1,
                final=retries >= self.max_retries,
                task_id=self.request.id or "",
                log_id=log_id,
            )
        except Transient as exc:
            countdown = sync.retry_countdown(exc, retries)
            if countdown is None:
                return None  # out of retries: the SyncLog says failed, Sentry has it once
            raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="integrations.watchdog")
def watchdog() -> int:
    return sync.watchdog()
