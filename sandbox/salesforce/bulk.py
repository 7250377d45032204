"""Bulk API 2.0 query jobs (``jobs/query``): create, poll, fetch the CSV results by locator,
abort and delete.

A job answers UploadComplete when made, InProgress when polled within its first
``PROCESSING`` seconds, then runs on the next poll: JobComplete, or Failed with an
``errorMessage`` for a query the sandbox cannot run. simple-salesforce's ``bulk2`` sleeps
``wait`` seconds (5 by default) before its first poll, so it usually finds the job complete.
Results are CSV pages of ``maxRecords`` with ``Sforce-NumberOfRecords`` and ``Sforce-Locator``
(``null`` on the last page); before JobComplete they answer 412 JOB_NOT_COMPLETE, and asked with
another API version than the job's, 409 (the guide names the status only; the code is the
sandbox's).
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse

from . import ids, query_run, store, values
from .api import Call, json_body, no_content, ok, rest, route
from .errors import SalesforceError, not_found
from .models import SalesforceBulkJob, SalesforceRecord
from .query_plan import plan
from .schema import sobject as sobject_named

PROCESSING = timedelta(seconds=0.3)
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^"}
DELIMITERS["BACKQUOTE"] = "`"
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


def _invalid_job(message: str) -> SalesforceError:
    return SalesforceError(400, "INVALIDJOB", message)


def info(job: SalesforceBulkJob, *, full: bool = True) -> dict:
    """The job's JobInfo: as creation answers it, or (``full``) as polling does."""
    answer = {
        "id": job.job_id,
        "operation": job.operation,
        "object": job.sobject,
        "createdById": job.created_by.user_id,
        "createdDate": values.rest_datetime(job.created_at),
        "systemModstamp": values.rest_datetime(job.system_modstamp),
        "state": job.state,
        "concurrencyMode": "Parallel",
        "contentType": "CSV",
        "apiVersion": float(job.api_version),
        "lineEnding": job.line_ending,
        "columnDelimiter": job.column_delimiter,
    }
    if job.state == "Failed":
        answer["errorMessage"] = job.error_message
    if full:
        answer.update(
            jobType="V2Query",
            numberRecordsProcessed=len(job.keys or []),
            retries=0,
            totalProcessingTime=0,
            isPkChunkingSupported=True,
        )
    return answer


@rest
def create(request: HttpRequest, call: Call):
    body = json_body(request)
    operation, text = body.get("operation"), body.get("query")
    if operation not in ("query", "queryAll"):
        raise _invalid_job(f"Invalid operation for a query job: {str(operation)[:40]}")
    if not isinstance(text, str) or not text.strip():
        raise _invalid_job("A query job needs a query")
    delimiter = body.get("columnDelimiter", "COMMA")
    line_ending = body.get("lineEnding", "LF")
    if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
        raise _invalid_job("Invalid columnDelimiter or lineEnding")
    named = FROM.search(text)
    sobject = sobject_named(named.group(1)) if named else None
    moment = store.now()
    job = SalesforceBulkJob.objects.create(
        job_id=ids.random_id(ids.BULK_JOB),
        org=call.org,
        created_by=call.user,
        operation=operation,
        query=text,
        sobject=sobject.name if sobject else (named.group(1)[:40] if named else ""),
        state="UploadComplete",
        api_version=call.version,
        column_delimiter=delimiter,
        line_ending=line_ending,
        created_at=moment,
        system_modstamp=moment,
    )
    return ok(info(job, full=False))


def _job(call: Call, job_id: str) -> SalesforceBulkJob:
    job = SalesforceBulkJob.objects.filter(org=call.org, job_id=job_id).first()
    if job is None:
        raise not_found()
    return job


def _run(job: SalesforceBulkJob) -> None:
    """Carry the job out: its result, or why it failed."""
    try:
        query = plan(job.query)
        if query.count:
            raise SalesforceError(400, "MALFORMED_QUERY", "Aggregate queries are not supported")
        job.keys = query_run.keys(job.org, query, deleted=job.operation == "queryAll")
        job.fields, job.state = query.fields, "JobComplete"
    except SalesforceError as error:
        job.state, job.error_message = "Failed", f"{error.code}: {error.message}"


def _advance(job: SalesforceBulkJob, moment: datetime) -> None:
    if job.state == "UploadComplete" and moment - job.created_at < PROCESSING:
        job.state = "InProgress"
    elif job.state in ("UploadComplete", "InProgress"):
        _run(job)
    else:
        return
    job.system_modstamp = moment
    job.save()


@rest
def poll(request: HttpRequest, call: Call, job_id: str):
    job = _job(call, job_id)
    _advance(job, store.now())
    return ok(info(job))


@rest
def abort(request: HttpRequest, call: Call, job_id: str):
    job = _job(call, job_id)
    if json_body(request).get("state") != "Aborted":
        raise _invalid_job("A query job can only be aborted: state must be Aborted")
    if job.state in ("JobComplete", "Failed", "Aborted"):
        raise SalesforceError(400, "INVALIDJOBSTATE", f"Job is already {job.state}")
    job.state, job.system_modstamp = "Aborted", store.now()
    job.save(update_fields=["state", "system_modstamp"])
    return ok(info(job))


@rest
def remove(request: HttpRequest, call: Call, job_id: str):
    _job(call, job_id).delete()
    return no_content()


def _offset(locator: str) -> int:
    """A locator is the offset of its page, encoded (an opaque string to clients)."""
    try:
        padded = locator + "=" * (-len(locator) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid_job(f"Invalid locator: {locator[:40]}") from None


def _locator(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return values.csv_datetime(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _state_name(state: str) -> str:
    """A job state as the results error names it: ``InProgress`` is ``IN_PROGRESS``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", state).upper()


@rest
def results(request: HttpRequest, call: Call, job_id: str):
    """A page of the job's result as CSV, from ``locator`` (the start without one)."""
    job = _job(call, job_id)
    if call.version != job.api_version:
        raise SalesforceError(
            409,
            "INVALIDJOB",
            f"Query results are read with the API version that created the job: v{job.api_version}",
        )
    if job.state != "JobComplete":
        raise SalesforceError(
            412,
            "JOB_NOT_COMPLETE",
            "query results are downloadable once the job's status is JOB_COMPLETE; "
            f"its status is {_state_name(job.state)}",
        )
    start = _offset(request.GET["locator"]) if request.GET.get("locator") else 0
    size = request.GET.get("maxRecords", "")
    if size and (not size.isdigit() or int(size) < 1):
        raise _invalid_job(f"Invalid maxRecords: {size[:20]}")
    if start < 0 or start > len(job.keys):
        raise _invalid_job("Invalid locator")
    end = min(len(job.keys), start + int(size)) if size else len(job.keys)
    keys = job.keys[start:end]
    found = SalesforceRecord.objects.in_bulk(keys)
    sobject = sobject_named(job.sobject)
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=DELIMITERS[job.column_delimiter],
        lineterminator=LINE_ENDINGS[job.line_ending],
        quoting=csv.QUOTE_ALL,
    )
    writer.writerow(job.fields)
    for key in keys:
        if key in found:
            writer.writerow(
                [_cell(store.value_of(found[key], sobject, name)) for name in job.fields]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=UTF-8")
    response["Sforce-NumberOfRecords"] = str(len(keys))
    response["Sforce-Locator"] = _locator(end) if end < len(job.keys) else "null"
    return response


jobs_view = route(POST=create)
job_view = route(GET=poll, PATCH=abort, DELETE=remove)
results_view = route(GET=results)
