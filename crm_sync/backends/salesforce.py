"""One org's two-way sync: pull each object's changes, then push the CRM's.

Pull, per object (companies, then contacts, then deals, so references resolve):
- a first load of more records than the connection's ``bulk_threshold`` runs a Bulk API 2.0
  query job, read page by page through its locator (the job and locator kept with each page);
- otherwise, and after it, SOQL ordered by SystemModstamp then Id from the stored (stamp, Id),
  paged with queryMore, the cursor stored with each page;
- deletions through ``getDeleted`` since the last look; when that window is older than the org
  keeps deleted records, a full reconcile of the object's ids.
Push: records changed in the CRM, in sObject Collections of 200 (``allOrNone`` false), creates
storing the new Salesforce id, each record's refusal kept on its link.

Before each call the org's API usage is checked: at the connection's share of its daily limit
(or on ``REQUEST_LIMIT_EXCEEDED``) the run stops and the connection pauses.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from integrations.errors import ProviderError
from integrations.providers.salesforce.client import DailyLimitReached, Org, moment
from integrations.sync import Counts, Page, SyncJob

from .. import push, store
from ..mapping import REMOTE_OBJECTS
from ..models import CrmConnection, CrmObject, FieldMapping, ObjectCursor, RecordLink

ORDER = (CrmObject.COMPANY, CrmObject.CONTACT, CrmObject.DEAL)
#: sObject Collections take at most 200 records a call.
COLLECTION_SIZE = 200
BULK_PAGE = 10_000
#: Between two looks at a Bulk job's state.
BULK_POLL_SECONDS = 1.0
#: Records changed while a Bulk job reads its snapshot are read again by the first incremental
#: pull: it starts this long before the job was created.
BULK_OVERLAP = timedelta(minutes=5)
#: Salesforce keeps deleted records for getDeleted about 15 days; older windows reconcile.
DELETED_WINDOW = timedelta(days=15)
MIN_DELETED_WINDOW = timedelta(minutes=1)
#: A Salesforce record id, as the cursor keeps it (it goes into SOQL).
RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


class _OverBudget(Exception):
    """The org's API usage reached the connection's share of its daily limit."""


@dataclass
class Pulled:
    object: str
    stamp: datetime | None
    last_id: str
    done: bool
    bulk: dict | None = None


@dataclass
class Deleted:
    object: str
    until: datetime
    #: A reconcile: every id the object has, instead of the deleted ones.
    all_ids: set | None = None


@dataclass
class Pushed:
    object: str
    entries: list = field(default_factory=list)  # push.Push


@dataclass
class Paused:
    reason: str


def soql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class SalesforceSync(SyncJob):
    kind = "crm"

    def __init__(self, connection: CrmConnection):
        super().__init__(connection.credential)
        self.connection = connection
        self.org: Org | None = None
        mappings = list(FieldMapping.objects.filter(workspace_id=connection.workspace_id))
        #: Per object, the mappings read from Salesforce and those sent to it.
        self.pulls = {obj: [m for m in mappings if m.object == obj and m.pulls] for obj in ORDER}
        self.pushes = {obj: [m for m in mappings if m.object == obj and m.pushes] for obj in ORDER}

    @property
    def account_key(self) -> str:
        return self.connection.account_key

    @property
    def account_name(self) -> str:
        return self.credential.metadata.get("username") or self.credential.account

    def cursor(self):
        return None  # each object's cursor is its ObjectCursor row

    def reset(self) -> None:
        ObjectCursor.objects.filter(connection=self.connection).delete()

    def paused(self) -> str:
        until = self.connection.paused_until
        if until and until > timezone.now():
            return (
                f"the org's daily API limit is nearly used up; syncs resume after {until:%H:%M} UTC"
            )
        return ""

    # The provider side -----------------------------------------------------------------------

    def call(self, request):
        usage = self.org.usage
        if usage and usage[1] and usage[0] >= self.connection.limit_share * usage[1]:
            raise _OverBudget()
        return self.org.call(request)

    def pages(self, cursor) -> Iterator[Page]:
        self.org = Org(self.credential)
        try:
            for obj in ORDER:
                yield from self._pull(obj)
            for obj in ORDER:
                yield from self._push(obj)
        except (_OverBudget, DailyLimitReached):
            yield Page([], Paused("the org's daily API limit is nearly used up"))

    def _pull(self, obj: str) -> Iterator[Page]:
        pulls = self.pulls[obj]
        if not pulls:
            return
        cursor, _ = ObjectCursor.objects.get_or_create(connection=self.connection, object=obj)
        remote = REMOTE_OBJECTS[obj]
        # Field names were checked against the org's describe() when mapped (mapping.check).
        fields = ", ".join(["Id", "SystemModstamp", *sorted({m.remote_field for m in pulls})])
        first = not cursor.loaded and cursor.stamp is None
        if first and cursor.bulk is None:
            counting = f"SELECT COUNT() FROM {remote}"  # noqa: S608
            count = self.call(lambda sf: sf.query(counting))["totalSize"]
            if count > self.connection.bulk_threshold:
                cursor.bulk = {}
        if cursor.bulk is not None:
            yield from self._bulk(obj, cursor, f"SELECT {fields} FROM {remote}")  # noqa: S608
            return
        yield from self._query(obj, cursor, fields)
        if cursor.loaded or not first:
            yield from self._deletions(obj, cursor)

    def _query(self, obj: str, cursor: ObjectCursor, fields: str) -> Iterator[Page]:
        soql = f"SELECT {fields} FROM {REMOTE_OBJECTS[obj]}"  # noqa: S608
        # After a Bulk load the cursor has a time and no id: every id is after the lowest one.
        after_id = cursor.last_id or "0" * 15
        if cursor.stamp is not None and RECORD_ID.match(after_id):
            after = soql_time(cursor.stamp)
            soql += (
                f" WHERE SystemModstamp > {after}"
                f" OR (SystemModstamp = {after} AND Id > '{after_id}')"
            )
        soql += " ORDER BY SystemModstamp, Id"
        stamp, last_id = cursor.stamp, cursor.last_id
        for answer in self._answers(soql):
            records = answer["records"]
            if records:
                stamp, last_id = moment(records[-1]["SystemModstamp"]), records[-1]["Id"]
            yield Page(records, Pulled(obj, stamp, last_id, answer["done"]))

    def _answers(self, soql: str) -> Iterator[dict]:
        """A query's batches, the next asked for (queryMore) only when this one is used."""
        answer = self.call(lambda sf: sf.query(soql))
        yield answer
        while not answer["done"]:
            following = answer["nextRecordsUrl"]
            answer = self.call(lambda sf, url=following: sf.query_more(url, identifier_is_url=True))
            yield answer

    def _bulk(self, obj: str, cursor: ObjectCursor, soql: str) -> Iterator[Page]:
        from simple_salesforce.bulk2 import ColumnDelimiter, LineEnding, Operation

        # Through the SDK's Bulk 2.0 client, so that a job and its locator outlive a run.
        def jobs(sf):
            return getattr(sf.bulk2, REMOTE_OBJECTS[obj])._client

        bulk = dict(cursor.bulk)
        if not bulk:
            since = timezone.now() - BULK_OVERLAP
            job = self.call(
                lambda sf: jobs(sf).create_job(
                    Operation.query, soql, ColumnDelimiter.COMMA, LineEnding.LF
                )
            )
            bulk = {"job": job["id"], "locator": "", "since": since.isoformat()}
            yield Page([], Pulled(obj, None, "", False, bulk=bulk))
        # Polled here rather than in the SDK's wait_for_job: each poll is an API call counted
        # against the org's limit, and each wait is a page, so the run keeps its lock and ends
        # at its time slice (the next run polls on).
        while True:
            try:
                info = self.call(lambda sf, job=bulk["job"]: jobs(sf).get_job(job, True))
            except ProviderError as exc:
                if exc.status != 404:
                    raise
                info = {"state": "Deleted"}  # Salesforce keeps jobs for days
            if info["state"] == "JobComplete":
                break
            if info["state"] in ("Failed", "Aborted", "Deleted"):
                yield Page([], Pulled(obj, None, "", False, bulk={}))  # the next run starts again
                raise ProviderError(
                    f"Salesforce's Bulk job {bulk['job']} ended {info['state'].lower()}: "
                    f"{info.get('errorMessage', '')}".strip(": "),
                    provider="salesforce",
                )
            yield Page([], Pulled(obj, None, "", False, bulk=bulk))
            time.sleep(BULK_POLL_SECONDS)
        while True:
            locator = bulk["locator"]
            result = self.call(
                lambda sf, job=bulk["job"], at=locator: jobs(sf).get_query_results(
                    job, at, BULK_PAGE
                )
            )
            rows = [_row(row) for row in csv.DictReader(io.StringIO(result["records"]))]
            bulk = {**bulk, "locator": result["locator"]}
            done = not result["locator"]
            since = datetime.fromisoformat(bulk["since"])
            yield Page(rows, Pulled(obj, since if done else None, "", done, bulk=bulk))
            if done:
                return

    def _deletions(self, obj: str, cursor: ObjectCursor) -> Iterator[Page]:
        now = timezone.now()
        start = cursor.deletes_until or now
        if now - start < MIN_DELETED_WINDOW:
            return
        sobject = REMOTE_OBJECTS[obj]
        if now - start < DELETED_WINDOW:
            try:
                answer = self.call(lambda sf: getattr(sf, sobject).deleted(start, now))
            except ProviderError as exc:
                if exc.provider_code != "INVALID_REPLICATION_DATE":
                    raise
            else:
                earliest = answer.get("earliestDateAvailable")
                if not earliest or moment(earliest) <= start:
                    ids = {row["id"] for row in answer.get("deletedRecords", [])}
                    until = moment(answer.get("latestDateCovered") or now.isoformat())
                    yield Page(sorted(ids), Deleted(obj, until))
                    return
        # The window is gone: every id the object has now, and what is missing was deleted.
        every = self._answers(f"SELECT Id FROM {sobject}")  # noqa: S608
        ids = {row["Id"] for answer in every for row in answer["records"]}
        yield Page([], Deleted(obj, now, all_ids=ids))

    def _push(self, obj: str) -> Iterator[Page]:
        pushes = self.pushes[obj]
        if not pushes:
            return
        tried: set = set()
        sobject = REMOTE_OBJECTS[obj]
        while True:
            waiting = (
                RecordLink.objects.filter(
                    connection=self.connection, object=obj, changed_at__isnull=False
                )
                .exclude(pk__in=tried)
                .order_by("changed_at")[:COLLECTION_SIZE]
            )
            batch = push.outgoing(self.connection, obj, pushes, list(waiting))
            if not batch:
                return
            tried.update(entry.link.pk for entry in batch)
            creates = [entry for entry in batch if entry.payload and not entry.link.remote_id]
            updates = [entry for entry in batch if entry.payload and entry.link.remote_id]
            for entries, method in ((creates, "POST"), (updates, "PATCH")):
                if entries:
                    body = {
                        "allOrNone": False,
                        "records": [
                            {"attributes": {"type": sobject}, **entry.record()} for entry in entries
                        ],
                    }
                    results = self.call(
                        lambda sf, body=body, method=method: sf.restful(
                            "composite/sobjects", method=method, json=body
                        )
                    )
                    for entry, result in zip(entries, results, strict=True):
                        entry.result = result
            yield Page(batch, Pushed(obj, batch))

    # The CRM side ----------------------------------------------------------------------------

    def store(self, page: Page) -> Counts:
        step = page.cursor
        if self.org is not None and self.org.usage:
            store.record_usage(self.connection, *self.org.usage)
        if isinstance(step, Paused):
            return store.pause(self.connection, step.reason)
        if isinstance(step, Pulled):
            counts = store.apply_pulled(
                self.connection, step.object, self.pulls[step.object], page.items, self.log
            )
            store.advance(self.connection, step)
            return counts
        if isinstance(step, Deleted):
            return store.apply_deleted(self.connection, step, page.items)
        return push.apply_pushed(self.connection, step.object, step.entries)


def _row(row: dict) -> dict:
    """A Bulk CSV row as a REST record: empty cells are nulls."""
    return {name: (value if value != "" else None) for name, value in row.items()}


def limit_pause() -> timedelta:
    return timedelta(minutes=settings.CRM_SYNC_LIMIT_PAUSE_MINUTES)
