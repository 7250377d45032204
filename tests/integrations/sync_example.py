"""The example provider the sync runner is tested with: its "remote" data, the faults it should
raise and its cursor live in its credential, so every process (tests, the worker) sees them.

``metadata = {"remote": [[{"email", "first_name", "deleted"?, "blocked"?}, …], …],
"faults": [{"page": n, "error": "rate_limited"|"transient"|"auth"|"expired"|"crash",
"retry_after": s, "times": k}], "cursor": next page index}``
"""

from celery import shared_task
from django.db import transaction

from clianta.models import Contact
from integrations import registry
from integrations.base import AuthKind, Provider
from integrations.errors import AuthExpired, ProviderError, RateLimited, Transient
from integrations.models import IntegrationCredential
from integrations.sync import Counts, Page, SyncJob
from integrations.tasks import SyncTask

ERRORS = {
    "rate_limited": lambda fault: RateLimited("slow down", retry_after=fault.get("retry_after")),
    "transient": lambda fault: Transient("provider unavailable", status=503),
    "auth": lambda fault: ProviderError("forbidden", status=401),
    "expired": lambda fault: AuthExpired("grant revoked"),
    "crash": lambda fault: RuntimeError("worker crashed"),
}


class ExampleJob(SyncJob):
    kind = "contacts"

    @property
    def account_key(self):
        return f"example:{self.credential.pk}"

    def _metadata(self, lock=False):
        rows = IntegrationCredential.objects.filter(pk=self.credential.pk)
        return (rows.select_for_update() if lock else rows).values_list("metadata", flat=True)[0]

    def _write(self, metadata):
        IntegrationCredential.objects.filter(pk=self.credential.pk).update(metadata=metadata)

    def cursor(self):
        return self._metadata().get("cursor")

    def pages(self, cursor):
        remote = self._metadata()["remote"]
        for index in range(cursor or 0, len(remote)):
            self._raise_fault(index)
            yield Page(items=remote[index], cursor=index + 1)

    def _raise_fault(self, index):
        metadata = self._metadata()
        for fault in metadata.get("faults", []):
            if fault["page"] == index and fault.get("times", 1) > 0:
                fault["times"] = fault.get("times", 1) - 1
                self._write(metadata)
                raise ERRORS[fault["error"]](fault)

    def store(self, page):
        counts = Counts()
        workspace = self.credential.workspace_id
        for item in page.items:
            if item.get("blocked"):
                counts.skip("blocked sender")
            elif item.get("deleted"):
                counts.deleted += Contact.objects.filter(
                    workspace_id=workspace, email=item["email"]
                ).delete()[0]
            else:
                _, created = Contact.objects.update_or_create(
                    workspace_id=workspace,
                    email=item["email"],
                    defaults={"first_name": item.get("first_name", "")},
                )
                counts.created += created
                counts.updated += not created
        if page.items and page.items[0].get("fail_before_cursor"):
            raise RuntimeError("failed after the rows, before the cursor")
        metadata = self._metadata(lock=True)
        metadata["cursor"] = page.cursor
        self._write(metadata)
        return counts

    def reset(self):
        with transaction.atomic():
            metadata = self._metadata(lock=True)
            metadata.pop("cursor", None)
            self._write(metadata)


@shared_task(bind=True, base=SyncTask, name="example.sync")
def sync(self, credential_id, full=False, trigger="schedule"):
    job = ExampleJob(IntegrationCredential.objects.get(pk=credential_id))
    if full:
        job.reset()
    log = self.run_job(job, trigger)
    return str(log.pk) if log else None


EXAMPLE = registry.register(
    Provider(
        slug="example",
        name="Example",
        category="testing",
        auth=AuthKind.API_KEY,
        endpoints=(),
        sync_task="example.sync",
        description="The provider the framework's tests sync with.",
    )
)
