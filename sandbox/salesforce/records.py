"""The sObject resources: global and object describe, a record's create, read, update and
delete, the changes of a time window (sObject Get Updated / Get Deleted), and the org's limits.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone

from . import store, writes
from .api import Call, json_body, no_content, ok, rest, route
from .describe import basic_info, describe, describe_global
from .errors import SalesforceError, not_found
from .models import SalesforceBulkJob, SalesforceOrg
from .query_plan import NO_COLUMN
from .schema import SObject
from .schema import sobject as sobject_named
from .values import rest_datetime

UPDATED_DAYS = 30  # how far back sObject Get Updated reaches
ID_LIMIT = 600_000  # ids one Get Updated / Get Deleted answer may hold
BULK_QUERY_JOBS_PER_DAY = 10_000


def _sobject(name: str) -> SObject:
    found = sobject_named(name)
    if found is None:
        raise not_found()
    return found


@rest
def global_describe(request: HttpRequest, call: Call):
    return ok(describe_global(call.version))


@rest
def object_describe(request: HttpRequest, call: Call, sobject: str):
    return ok(describe(_sobject(sobject), call.version))


@rest
def object_info(request: HttpRequest, call: Call, sobject: str):
    return ok(basic_info(_sobject(sobject), call.version))


@rest
def create(request: HttpRequest, call: Call, sobject: str):
    record = writes.create(call.org, call.user, _sobject(sobject), json_body(request))
    return ok({"id": record.record_id, "success": True, "errors": []}, status=201)


@rest
def read(request: HttpRequest, call: Call, sobject: str, record_id: str):
    """A record's fields (all of them, or those of ``?fields=a,b``); a deleted one is gone."""
    kind = _sobject(sobject)
    record = store.find(call.org, kind, record_id)
    if record.deleted_at is not None:
        raise not_found()
    names = [field.name for field in kind.fields]
    if asked := request.GET.get("fields"):
        names = []
        for name in (part.strip() for part in asked.split(",")):
            field = kind.field(name)
            if field is None:
                raise SalesforceError(400, "INVALID_FIELD", NO_COLUMN.format(name[:80], kind.name))
            names.append(field.name)
    return ok(store.as_rest(record, kind, names, call.version))


@rest
def update(request: HttpRequest, call: Call, sobject: str, record_id: str):
    kind = _sobject(sobject)
    record = store.find(call.org, kind, record_id)
    writes.update(call.org, record, kind, json_body(request))
    return no_content()


@rest
def delete(request: HttpRequest, call: Call, sobject: str, record_id: str):
    kind = _sobject(sobject)
    writes.delete(call.org, store.find(call.org, kind, record_id))
    return no_content()


# --- Replication: what changed in a window ----------------------------------------------------


def _replication_error(message: str) -> SalesforceError:
    return SalesforceError(400, "INVALID_REPLICATION_DATE", message)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _moment(request: HttpRequest, name: str) -> datetime:
    """A ``start``/``end`` parameter (ISO 8601 with an offset). The docs do not say what an
    unreadable one answers; the sandbox answers 400 INVALID_PARAMETER_VALUE."""
    raw = request.GET.get(name)
    if raw is None:
        raise SalesforceError(400, "MISSING_ARGUMENT", f"Missing required parameter: {name}")
    # A "+" the client did not encode arrives as a space.
    text = raw.strip().replace(" ", "+").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SalesforceError(400, "INVALID_PARAMETER_VALUE", f"Invalid {name}: {raw[:40]}")
    return moment


def _window(request: HttpRequest, days: int) -> tuple[datetime, datetime]:
    """The window's start and the last moment it covers, to the minute (the API ignores
    seconds) and no later than now; INVALID_REPLICATION_DATE for a start not before the end
    or further back than the resource reaches."""
    start, end = _minute(_moment(request, "start")), _minute(_moment(request, "end"))
    if start >= end:
        raise _replication_error("startDate must chronologically precede endDate")
    if start < _minute(timezone.now() - timedelta(days=days)):
        raise _replication_error(f"startDate cannot be more than {days} days ago")
    return start, max(start, min(end, _minute(timezone.now())))


def _id_limit(count: int) -> None:
    if count > ID_LIMIT:
        raise SalesforceError(
            400, "EXCEEDED_ID_LIMIT", f"Exceeded maximum of {ID_LIMIT} ids: choose a shorter span"
        )


@rest
def updated(request: HttpRequest, call: Call, sobject: str):
    """The ids of the records added or changed (by SystemModstamp) in the window."""
    kind = _sobject(sobject)
    start, covered = _window(request, UPDATED_DAYS)
    rows = store.live(call.org, kind).filter(
        system_modstamp__gte=start, system_modstamp__lt=covered
    )
    _id_limit(rows.count())
    found = rows.order_by("system_modstamp", "sequence").values_list("record_id", flat=True)
    return ok({"ids": list(found), "latestDateCovered": rest_datetime(covered)})


@rest
def deleted(request: HttpRequest, call: Call, sobject: str):
    """The records deleted in the window that the Recycle Bin still holds."""
    kind = _sobject(sobject)
    start, covered = _window(request, call.org.deleted_retention_days)
    rows = store.live(call.org, kind, deleted=True).filter(
        deleted_at__gte=start, deleted_at__lt=covered
    )
    _id_limit(rows.count())
    found = rows.order_by("deleted_at", "sequence").values_list("record_id", "deleted_at")
    return ok(
        {
            "deletedRecords": [
                {"id": record_id, "deletedDate": rest_datetime(moment)}
                for record_id, moment in found
            ],
            "earliestDateAvailable": rest_datetime(_minute(store.purged_before(call.org))),
            "latestDateCovered": rest_datetime(covered),
        }
    )


@rest
def limits(request: HttpRequest, call: Call):
    """The org's limits: its daily API requests (this one counted) and Bulk API 2.0 query
    allocations."""
    org = SalesforceOrg.objects.get(pk=call.org.pk)
    jobs = SalesforceBulkJob.objects.filter(
        org=org, created_at__gte=timezone.now() - timedelta(hours=24)
    ).count()
    return ok(
        {
            "DailyApiRequests": {
                "Max": org.daily_api_limit,
                "Remaining": max(0, org.daily_api_limit - org.api_used),
            },
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DailyBulkV2QueryJobs": {
                "Max": BULK_QUERY_JOBS_PER_DAY,
                "Remaining": max(0, BULK_QUERY_JOBS_PER_DAY - jobs),
            },
        }
    )


sobjects_view = route(GET=global_describe)
describe_view = route(GET=object_describe)
sobject_view = route(GET=object_info, POST=create)
record_view = route(GET=read, PATCH=update, DELETE=delete)
updated_view = route(GET=updated)
deleted_view = route(GET=deleted)
limits_view = route(GET=limits)
