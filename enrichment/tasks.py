"""Bulk enrichment as a Celery job: honours Apollo's rate limits, tries a failed lookup again,
stops cleanly when the workspace's credits run out or Apollo refuses the key, and reports what
happened to every contact."""

import logging
import time

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from clianta.models import Contact
from integrations.errors import AuthExpired, IntegrationError, RateLimited, Transient

from . import services
from .credits import CreditLimitExceeded
from .models import EnrichmentJob

logger = logging.getLogger("integrations.apollo")
#: Waits on a 429, a 5xx or a timeout before giving up on one contact; a 429's honours
#: Apollo's Retry-After.
RETRY_WAITS = 3
LONGEST_WAIT = 60
Status = EnrichmentJob.Status


@shared_task(name="enrichment.bulk_enrich", acks_late=True)
def bulk_enrich(job_id):
    job = EnrichmentJob.objects.select_related("workspace").get(pk=job_id)
    if job.status not in (Status.QUEUED, Status.RUNNING):
        return job.status
    EnrichmentJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    done = {entry["contact"] for entry in job.report}  # a redelivered job resumes
    contacts = Contact.objects.filter(workspace=job.workspace, pk__in=job.contact_ids)
    for contact in contacts.order_by("created_at"):
        if str(contact.pk) in done:
            continue
        try:
            outcome = _enrich(job, contact)
        except CreditLimitExceeded:
            _finish(job, Status.STOPPED, "The workspace's Apollo credits ran out.")
            return Status.STOPPED
        except AuthExpired as exc:  # every lookup after it would be refused too
            _finish(job, Status.FAILED, exc.message)
            return Status.FAILED
        _record(job, contact, outcome)
    _finish(job, Status.DONE)
    return Status.DONE


def _enrich(job, contact) -> str:
    """The contact's outcome; a 429, a 5xx or a timeout is tried again after a wait (Apollo's
    Retry-After, or 1, 2, 4 s); a failed lookup costs no credit."""
    for attempt in range(RETRY_WAITS + 1):
        try:
            result = services.enrich_contact(job.workspace, contact=contact)
        except Transient as exc:
            if attempt == RETRY_WAITS:
                return f"failed after {attempt + 1} attempts: {exc.message}"
            wait = exc.retry_after if isinstance(exc, RateLimited) else None
            time.sleep(min(wait or 2**attempt, LONGEST_WAIT))
        except (CreditLimitExceeded, AuthExpired):
            raise
        except IntegrationError as exc:
            return f"failed: {exc.message}"
        else:
            return "enriched" if result.found else "not found"
    return "failed"


def _record(job, contact, outcome: str) -> None:
    counter = {"enriched": "enriched", "not found": "not_found"}.get(outcome, "failed")
    job.report.append({"contact": str(contact.pk), "email": contact.email, "outcome": outcome})
    EnrichmentJob.objects.filter(pk=job.pk).update(report=job.report, **{counter: F(counter) + 1})


def _finish(job, status: str, reason: str = "") -> None:
    EnrichmentJob.objects.filter(pk=job.pk).update(
        status=status, stop_reason=reason, finished_at=timezone.now()
    )
    logger.info("apollo.bulk_finished", extra={"job": str(job.pk), "status": status})
