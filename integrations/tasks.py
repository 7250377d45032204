"""The framework's Celery pieces: the base class of every sync task, the watchdog, and the
processing of recorded webhook deliveries."""

from celery import Task, shared_task

from . import push, sync, webhooks
from .errors import Transient
from .models import IntegrationCredential

#: The trigger of a run that goes on where the last one's time slice ended.
CONTINUE = "continue"


class SyncTask(Task):
    """Base of the apps' sync tasks: late acknowledgement (a killed worker's task is delivered
    again), and retries decided from the error's class alone (see ``sync.retry_countdown``)."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = len(sync.BACKOFF_SECONDS)

    def run_job(self, job: sync.SyncJob, trigger: str, log_id=None):
        retries = self.request.retries
        try:
            log = sync.run(
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
        if log.continued:
            # The next run goes behind the runs queued meanwhile: other accounts' syncs go on.
            kwargs = {**self.request.kwargs, "trigger": CONTINUE, "full": False}
            kwargs.pop("log_id", None)
            self.apply_async(args=self.request.args, kwargs=kwargs)
        return log


@shared_task(name="integrations.maintain_push_channels")
def maintain_push_channels() -> dict:
    """Open, renew and forget push channels (every 15 minutes, celery-beat)."""
    return push.maintain()


@shared_task(name="integrations.replace_push_channel")
def replace_push_channel(channel_pk, gone=False) -> str:
    """Replace one push channel at the provider's request (see ``push.replace``)."""
    return push.replace(channel_pk, gone=gone)


@shared_task(name="integrations.watchdog")
def watchdog() -> int:
    return sync.watchdog()


@shared_task(name=webhooks.PROCESS_TASK, acks_late=True)
def process_webhooks(provider: str) -> dict:
    """Process one provider's due webhook deliveries (requested by the webhook view)."""
    return dict(webhooks.process_pending(provider))


@shared_task(name="integrations.process_due_webhooks")
def process_due_webhooks() -> dict:
    """Every minute (celery-beat): deliveries nobody asked a task for, or due for a retry."""
    return dict(webhooks.process_due())


def syncing_accounts(model):
    """The accounts of ``model`` whose syncs are on, on an active credential."""
    return model.objects.filter(
        sync_enabled=True,
        credential__status=IntegrationCredential.Status.ACTIVE,
        credential__sync_enabled=True,
    )


def account_sync_tasks(app: str, model, make_job):
    """The three tasks of an app whose accounts sync: one account (``<app>.sync_account``),
    the accounts of one credential (``<app>.sync_credential``, the admin's "sync now") and every
    account whose syncs are on (``<app>.sync_all``, the fan-out beat runs on a schedule).
    ``model`` has ``credential`` and ``sync_enabled``; ``make_job(account)`` gives its SyncJob."""

    @shared_task(bind=True, base=SyncTask, name=f"{app}.sync_account")
    def sync_account(self, account_id, full=False, trigger="schedule", log_id=None):
        account = model.objects.select_related("credential").filter(pk=account_id).first()
        if account is None:
            return None
        job = make_job(account)
        if full:
            job.reset()
        log = self.run_job(job, trigger, log_id=log_id)
        if trigger == "connect":
            push.ensure(account)
        if trigger == push.TRIGGER:
            busy = log is not None and sync.SKIP_LOCKED in (log.skip_reasons or {})
            push.finished(
                account_id,
                lambda countdown: sync_account.apply_async(
                    (account_id,), {"trigger": push.TRIGGER}, countdown=countdown
                ),
                busy=busy,
            )
        return str(log.pk) if log else None

    @shared_task(name=f"{app}.sync_credential")
    def sync_credential(credential_id, full=False, trigger="schedule"):
        for pk in model.objects.filter(credential_id=credential_id).values_list("pk", flat=True):
            sync_account.delay(str(pk), full=full, trigger=trigger)

    @shared_task(name=f"{app}.sync_all")
    def sync_all() -> int:
        """Poll every account that syncs; those a healthy push channel watches, less often."""
        accounts = push.poll_less(syncing_accounts(model)).values_list("pk", flat=True)
        count = 0
        for pk in accounts:
            sync_account.delay(str(pk))
            count += 1
        return count

    return sync_account, sync_credential, sync_all
