"""sObject Collections (``composite/sobjects``): create (POST), update (PATCH) and delete
(DELETE ``?ids=…&allOrNone=``) up to 200 records in one call.

A well-formed request answers 200 with one result per record, in order: ``{id, success: true,
errors: []}``, or ``{success: false, errors: [{statusCode, message, fields}]}`` (with the
record's ``id`` when it names an existing record). With ``allOrNone`` false each record stands
alone; with true nothing is written when one fails, and the others answer
ALL_OR_NONE_OPERATION_ROLLED_BACK. A malformed request answers 400.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_delete.htm
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from . import ids, store, writes
from .api import Call, json_body, ok, rest, route
from .errors import SalesforceError, json_error
from .models import SalesforceRecord
from .schema import BY_PREFIX
from .schema import sobject as sobject_named

MAX_RECORDS = 200
ROLLED_BACK = SalesforceError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


class Failed(Exception):
    """One record's failure: its errors, and its id when it names an existing record."""

    def __init__(self, errors: list[SalesforceError], record_id: str | None = None):
        super().__init__(errors[0].message)
        self.errors, self.record_id = errors, record_id


def _too_many(count: int) -> None:
    if count > MAX_RECORDS:
        raise SalesforceError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )


def _fail(code: str, message: str) -> Failed:
    return Failed([SalesforceError(400, code, message, [])])


def _apply(all_or_none: bool, items: list, write) -> list[dict]:
    """``write(item)`` for each item, each in a savepoint; returns the SaveResults."""
    results, failed = [], False
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():
                    results.append({"id": write(item), "success": True, "errors": []})
            except (Failed, writes.RecordRejected) as error:
                failed = True
                result = {"success": False, "errors": [e.save_error() for e in error.errors]}
                if getattr(error, "record_id", None):
                    result = {"id": error.record_id, **result}
                results.append(result)
        if failed and all_or_none:
            transaction.set_rollback(True)
            results = [
                result
                if not result["success"]
                else {"success": False, "errors": [ROLLED_BACK.save_error()]}
                for result in results
            ]
    return results


def _records(request: HttpRequest) -> tuple[bool, list]:
    body = json_body(request)
    all_or_none = body.get("allOrNone", False)
    records = body.get("records")
    if not isinstance(all_or_none, bool):
        raise json_error("Cannot deserialize instance of boolean from allOrNone")
    if records is None:
        raise SalesforceError(400, "MISSING_ARGUMENT", "Required field is missing: records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise json_error("Cannot deserialize instance of list of records from records")
    _too_many(len(records))
    return all_or_none, records


def _type_of(record: dict):
    attributes = record.get("attributes")
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(name, str) or not name:
        raise _fail("INVALID_TYPE", "Must send a concrete entity type.")
    sobject = sobject_named(name)
    if sobject is None:
        raise _fail("INVALID_TYPE", f"sObject type '{name[:80]}' is not supported.")
    return sobject


def _existing(call: Call, value, sobject=None) -> SalesforceRecord:
    """The record an id names (of ``sobject`` when given), for an update or a delete."""
    base = ids.base_of(value) if isinstance(value, str) else None
    kind = BY_PREFIX.get(base[:3]) if base else None
    if base is None:
        raise _fail("MALFORMED_ID", f"malformed id {str(value)[:40]}")
    if kind is None or (sobject is not None and kind is not sobject):
        raise _fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    try:
        record = store.find(call.org, kind, base)
    except SalesforceError:
        raise _fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id") from None
    if record.deleted_at is not None:
        raise Failed([writes.entity_is_deleted()], record.record_id)
    return record


@rest
def create(request: HttpRequest, call: Call):
    all_or_none, records = _records(request)

    def write(record: dict) -> str:
        sobject = _type_of(record)
        if any(name.lower() == "id" for name in record):
            raise _fail("INVALID_FIELD", "cannot specify Id in an insert call")
        return writes.create(call.org, call.user, sobject, record).record_id

    return ok(_apply(all_or_none, records, write))


@rest
def update(request: HttpRequest, call: Call):
    all_or_none, records = _records(request)

    def write(record: dict) -> str:
        sobject = _type_of(record)
        given = {name: value for name, value in record.items() if name.lower() != "id"}
        record_id = next((value for name, value in record.items() if name.lower() == "id"), None)
        if record_id is None:
            raise _fail("MISSING_ARGUMENT", "Id not specified in an update call")
        existing = _existing(call, record_id, sobject)
        try:
            writes.update(call.org, existing, sobject, given)
        except writes.RecordRejected as error:
            raise Failed(error.errors, existing.record_id) from None
        return existing.record_id

    return ok(_apply(all_or_none, records, write))


@rest
def delete(request: HttpRequest, call: Call):
    record_ids = [part for part in request.GET.get("ids", "").split(",") if part]
    if not record_ids:
        raise SalesforceError(400, "MISSING_ARGUMENT", "Required parameter is missing: ids")
    _too_many(len(record_ids))
    all_or_none = request.GET.get("allOrNone", "false").lower() == "true"

    def write(record_id: str) -> str:
        existing = _existing(call, record_id)
        writes.delete(call.org, existing)
        return existing.record_id

    return ok(_apply(all_or_none, record_ids, write))


collections_view = route(POST=create, PATCH=update, DELETE=delete)
