"""``query`` and ``queryAll`` (SOQL over REST) and their next pages.

The answer is ``{totalSize, done, nextRecordsUrl?, records}``; a result larger than the batch
(2,000 by default, ``Sforce-Query-Options: batchSize=200..2000``) is kept server-side and
``nextRecordsUrl`` (``/services/data/vXX.X/query/<locator>-<offset>``, a path of the instance)
gives its next batch. queryAll also returns the deleted records still in the Recycle Bin.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from . import ids, query_run, store
from .api import Call, ok, rest, route
from .errors import SalesforceError, malformed_query
from .models import SalesforceQueryCursor, SalesforceRecord
from .query_plan import Plan, plan
from .schema import sobject as sobject_named

DEFAULT_BATCH, MIN_BATCH = 2000, 200
# A cursor nobody reads for this long is gone (Salesforce closes idle query cursors).
CURSOR_IDLE = timedelta(minutes=15)
BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def batch_size(request: HttpRequest) -> int:
    """The batch the client asks for, kept within 200..2000 (Salesforce does not promise to
    honour it exactly)."""
    found = BATCH_OPTION.search(request.headers.get("Sforce-Query-Options", ""))
    if not found:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(found.group(1)[:6])))


def page(call: Call, sobject, fields: list[str], keys: list[int]) -> list[dict]:
    """The records with these primary keys, in that order, as the query answers them."""
    found = SalesforceRecord.objects.in_bulk(keys)
    return [
        store.as_rest(found[key], sobject, fields, call.version) for key in keys if key in found
    ]


def answer(call: Call, query: Plan, keys: list[int], batch: int, endpoint: str) -> dict:
    body = {"totalSize": len(keys), "done": len(keys) <= batch}
    if len(keys) > batch:
        SalesforceQueryCursor.objects.filter(used_at__lt=timezone.now() - CURSOR_IDLE).delete()
        cursor = SalesforceQueryCursor.objects.create(
            locator=ids.random_id(ids.QUERY_LOCATOR),
            org=call.org,
            sobject=query.sobject.name,
            fields=query.fields,
            keys=keys,
            used_at=timezone.now(),
        )
        body["nextRecordsUrl"] = (
            f"/services/data/v{call.version}/{endpoint}/{cursor.locator}-{batch}"
        )
    body["records"] = page(call, query.sobject, query.fields, keys[:batch])
    return body


def _run(request: HttpRequest, call: Call, *, deleted: bool, endpoint: str):
    text = request.GET.get("q")
    if text is None:
        raise malformed_query("A query string has to be specified")
    query = plan(text)
    if query.count:
        total = query_run.count(call.org, query, deleted=deleted)
        return ok({"totalSize": total, "done": True, "records": []})
    keys = query_run.keys(call.org, query, deleted=deleted)
    return ok(answer(call, query, keys, batch_size(request), endpoint))


@rest
def run_query(request: HttpRequest, call: Call):
    return _run(request, call, deleted=False, endpoint="query")


@rest
def run_query_all(request: HttpRequest, call: Call):
    return _run(request, call, deleted=True, endpoint="queryAll")


def _invalid_locator() -> SalesforceError:
    return SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


@rest
def query_more(request: HttpRequest, call: Call, endpoint: str, locator: str):
    """The batch of a kept result from ``<locator>-<offset>``."""
    name, _, offset = locator.partition("-")
    cursor = SalesforceQueryCursor.objects.filter(
        locator=name, org=call.org, used_at__gte=timezone.now() - CURSOR_IDLE
    ).first()
    if cursor is None or not offset.isdigit() or int(offset) >= len(cursor.keys):
        raise _invalid_locator()
    SalesforceQueryCursor.objects.filter(pk=cursor.pk).update(used_at=timezone.now())
    start, batch = int(offset), batch_size(request)
    keys = cursor.keys[start : start + batch]
    done = start + batch >= len(cursor.keys)
    body = {"totalSize": len(cursor.keys), "done": done}
    if not done:
        body["nextRecordsUrl"] = (
            f"/services/data/v{call.version}/{endpoint}/{cursor.locator}-{start + batch}"
        )
    body["records"] = page(call, sobject_named(cursor.sobject), cursor.fields, keys)
    return ok(body)


query_view = route(GET=run_query)
query_all_view = route(GET=run_query_all)
query_more_view = route(GET=query_more)
