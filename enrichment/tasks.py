"""Bulk enrichment as a Celery job: honours Apollo's rate limits, stops cleanly when the
workspace's credits run out, and reports what happened to every contact."""

import logging
import time

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from clianta.models import Contact
from integrations.errors import IntegrationError, RateLimited

from . import services
from .credits import CreditLimitExceeded
from .models import EnrichmentJob

logger = logging.getLogger("integrations.apollo")
#: Waits on a 429 before giving up on one contact; each honours Apollo's Retry-After.
RATE_LIMIT_WAITS = 3
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
        _record(job, contact, outcome)
    _finish(job, Status.DONE)
    return Status.DONE


def _enrich(job, contact) -> str:
    for attempt in range(RATE_LIMIT_WAITS + 1):
        try:
            result = services.enrich_contact(job.workspace, contact=contact)
        except RateLimited as exc:
            if attempt == RATE_LIMIT_WAITS:
                return "failed: Apollo kept answering 429"
            time.sleep(min(exc.retry_after or 2**attempt, LONGEST_WAIT))
        except CreditLimitExceeded:
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
