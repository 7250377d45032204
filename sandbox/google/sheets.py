"""Google Sheets API v4: spreadsheets (create, get, batchUpdate) and values (get, update,
append, clear, batchGet, batchUpdate, batchClear), under ``/sandbox/google/v4/spreadsheets``.

google-api-python-client reaches it with ``client_options={"api_endpoint":
settings.GOOGLE_SHEETS_API_URL}``. Shapes and errors follow
https://developers.google.com/sheets/api/reference/rest and the bundled discovery document;
state and A1 ranges are in ``sheets_store``. A spreadsheet belongs to the user whose token
created it: others get 403, as for a file not shared with them.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import sheets_store as store
from .errors import api_error, api_router
from .models import SheetsSheet, SheetsSpreadsheet
from .sheets_store import Invalid
from .tokens import authenticate

AUTH = "https://www.googleapis.com/auth/"
WRITE_SCOPES = [AUTH + "spreadsheets", AUTH + "drive.file", AUTH + "drive"]
READ_SCOPES = [*WRITE_SCOPES, AUTH + "spreadsheets.readonly", AUTH + "drive.readonly"]
INPUT_OPTIONS = ("RAW", "USER_ENTERED")
RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DIMENSIONS = ("ROWS", "COLUMNS")
QUOTA_METRIC = {"read": "Read requests", "write": "Write requests"}


class Refused(Exception):
    """A finished error response to send instead of the answer."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise Invalid("Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON payload received.")
    return body


def _caller(request: HttpRequest, kind: str):
    """The grant of a read or write call, with one request of quota spent."""
    grant = authenticate(request, READ_SCOPES if kind == "read" else WRITE_SCOPES)
    if isinstance(grant, HttpResponse):
        raise Refused(grant)
    if not store.charge(grant.email, kind):
        metric = QUOTA_METRIC[kind]
        raise Refused(
            api_error(
                429,
                f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per "
                "user' of service 'sheets.googleapis.com'.",
                "rateLimitExceeded",
            )
        )
    return grant


def _book(grant, spreadsheet_id: str, *, lock: bool = False) -> SheetsSpreadsheet:
    books = SheetsSpreadsheet.objects.select_for_update() if lock else SheetsSpreadsheet.objects
    book = books.filter(spreadsheet_id=spreadsheet_id).first()
    if book is None:
        raise Refused(api_error(404, reason="notFound"))
    if book.owner != grant.email.strip().lower():
        raise Refused(api_error(403, "The caller does not have permission", "forbidden"))
    return book


def _option(source, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = source.get(name) or default
    if value is not None and value not in allowed:
        raise Invalid(f"Invalid value at '{name}' (type.googleapis.com/{name}), \"{value}\"")
    return value


def _input_option(source) -> str:
    option = _option(source, "valueInputOption", INPUT_OPTIONS, None)
    if option is None:
        raise Invalid("'valueInputOption' is required but not specified")
    return option


def _values(body: dict) -> list[list]:
    values = body.get("values") or []
    if _option(body, "majorDimension", DIMENSIONS, "ROWS") == "COLUMNS" and values:
        width = max(len(column) for column in values)
        values = [[col[r] if r < len(col) else None for col in values] for r in range(width)]
    return values


def _value_range(rng: store.Range, request: HttpRequest) -> dict:
    store.check_grid(rng)
    major = _option(request.GET, "majorDimension", DIMENSIONS, "ROWS")
    render = _option(request.GET, "valueRenderOption", RENDER_OPTIONS, "FORMATTED_VALUE")
    answer = {"range": rng.a1(), "majorDimension": major}
    values = store.read(rng, render, major)
    if values:
        answer["values"] = values
    return answer


def _update(book, text: str, values: list[list], input_option: str) -> dict:
    rng = store.parse_range(book, text)
    counts = store.write(rng, values, input_option)
    rng.sheet.save()
    return {"spreadsheetId": book.spreadsheet_id, **counts}


# Refusals and invalid requests become Sheets' errors.
_dispatch = api_router(
    {
        Refused: lambda refused: refused.response,
        Invalid: lambda error: api_error(400, str(error), "badRequest"),
    }
)


def _charged(kind: str, handler):
    """``handler`` as a ``kind`` (read or write) call: authenticate and charge one request, then
    run it in one transaction, all or nothing; the quota spent stays spent."""

    def run(request: HttpRequest, **kwargs) -> HttpResponse:
        grant = _caller(request, kind)
        with transaction.atomic():
            return handler(request, grant, **kwargs)

    return run


def _route(kind: str = "read", **handlers):
    """The view of one path whose handlers are ``kind`` calls (see ``_charged``)."""
    return _dispatch(**{method: _charged(kind, handler) for method, handler in handlers.items()})


# spreadsheets


def _create(request, grant):
    body = _json_body(request)
    return JsonResponse(store.resource(store.create(grant.email, body)))


def _get(request, grant, spreadsheet_id):
    return JsonResponse(store.resource(_book(grant, spreadsheet_id)))


def _batch_update(request, grant, spreadsheet_id):
    book = _book(grant, spreadsheet_id, lock=True)
    body = _json_body(request)
    requests = body.get("requests") or []
    if not requests:
        raise Invalid("Must specify at least one request.")
    replies = []
    for number, item in enumerate(requests):
        kind = next(iter(item), None) if isinstance(item, dict) and len(item) == 1 else None
        try:
            replies.append(_structural(book, kind, item.get(kind) if kind else None))
        except Invalid as error:
            raise Invalid(f"Invalid requests[{number}].{kind}: {error}") from None
    answer = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        answer["updatedSpreadsheet"] = store.resource(book)
    return JsonResponse(answer)


def _structural(book: SheetsSpreadsheet, kind: str | None, request: dict | None) -> dict:
    """One request of spreadsheets.batchUpdate; its reply."""
    request = request if isinstance(request, dict) else {}
    if kind == "addSheet":
        sheet = store.add_sheet(book, request.get("properties"))
        return {"addSheet": {"properties": store.sheet_properties(sheet)}}
    if kind == "deleteSheet":
        store.delete_sheet(book, int(request.get("sheetId", -1)))
        return {}
    if kind == "updateSpreadsheetProperties":
        properties = request.get("properties") or {}
        fields = _fields(request, properties)
        for field, attribute in (
            ("title", "title"),
            ("locale", "locale"),
            ("timeZone", "time_zone"),
        ):
            if field in fields:
                setattr(book, attribute, properties.get(field) or getattr(book, attribute))
        book.save()
        return {}
    if kind == "updateSheetProperties":
        properties = request.get("properties") or {}
        sheet = book.sheets.filter(sheet_id=properties.get("sheetId", -1)).first()
        if sheet is None:
            raise Invalid(f"No grid with id: {properties.get('sheetId')}")
        fields = _fields(request, properties)
        if "title" in fields:
            title = properties.get("title") or ""
            if not title or book.sheets.exclude(pk=sheet.pk).filter(title__iexact=title).exists():
                raise Invalid(f'A sheet with the name "{title}" already exists.')
            sheet.title = title
        grid = properties.get("gridProperties") or {}
        if "gridProperties.rowCount" in fields or "gridProperties" in fields:
            sheet.row_count = int(grid.get("rowCount", sheet.row_count))
        if "gridProperties.columnCount" in fields or "gridProperties" in fields:
            sheet.column_count = int(grid.get("columnCount", sheet.column_count))
        sheet.save()
        return {}
    raise Invalid(
        "this sandbox supports addSheet, deleteSheet, updateSheetProperties and "
        "updateSpreadsheetProperties"
    )


def _fields(request: dict, properties: dict) -> set[str]:
    fields = request.get("fields")
    if not fields:
        raise Invalid("At least one field must be updated, but no fields were specified.")
    return set(properties) if fields == "*" else {f.strip() for f in fields.split(",")}


# values


def _values_get(request, grant, spreadsheet_id, text):
    book = _book(grant, spreadsheet_id)
    return JsonResponse(_value_range(store.parse_range(book, text), request))


def _values_update(request, grant, spreadsheet_id, text):
    book = _book(grant, spreadsheet_id, lock=True)
    input_option = _input_option(request.GET)
    body = _json_body(request)
    return JsonResponse(_update(book, text, _values(body), input_option))


def _values_append(request, grant, spreadsheet_id, text):
    book = _book(grant, spreadsheet_id, lock=True)
    input_option = _input_option(request.GET)
    insert = _option(request.GET, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE")
    values = _values(_json_body(request))
    rng = store.parse_range(book, text)
    found = store.table(rng)
    answer = {"spreadsheetId": book.spreadsheet_id}
    at = rng.row
    if found:
        first, last, last_col = found
        answer["tableRange"] = store.a1(rng.sheet.title, first, rng.col, last, last_col)
        at = last + 1
    if insert == "INSERT_ROWS":
        store.insert_rows(rng.sheet, at, len(values))
    target = store.Range(rng.sheet, at, rng.col, single=True)
    updates = store.write(target, values, input_option, grow=True)
    rng.sheet.save()
    answer["updates"] = {"spreadsheetId": book.spreadsheet_id, **updates}
    return JsonResponse(answer)


def _values_clear(request, grant, spreadsheet_id, text):
    book = _book(grant, spreadsheet_id, lock=True)
    rng = store.parse_range(book, text)
    store.clear(rng)
    rng.sheet.save()
    return JsonResponse({"spreadsheetId": book.spreadsheet_id, "clearedRange": rng.a1()})


def _values_batch_get(request, grant, spreadsheet_id):
    book = _book(grant, spreadsheet_id)
    ranges = [store.parse_range(book, text) for text in request.GET.getlist("ranges")]
    answer = {"spreadsheetId": book.spreadsheet_id}
    if ranges:
        answer["valueRanges"] = [_value_range(rng, request) for rng in ranges]
    return JsonResponse(answer)


def _values_batch_update(request, grant, spreadsheet_id):
    book = _book(grant, spreadsheet_id, lock=True)
    body = _json_body(request)
    input_option = _input_option(body)
    responses = []
    for item in body.get("data") or []:
        if not isinstance(item, dict) or not item.get("range"):
            raise Invalid("Each ValueRange in data must have a range.")
        responses.append(_update(book, item["range"], _values(item), input_option))
    touched = {r["updatedRange"].rpartition("!")[0] for r in responses if r.get("updatedCells")}
    answer = {
        "spreadsheetId": book.spreadsheet_id,
        "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
        "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len(touched),
    }
    if responses:
        answer["responses"] = responses
    return JsonResponse(answer)


def _values_batch_clear(request, grant, spreadsheet_id):
    book = _book(grant, spreadsheet_id, lock=True)
    cleared = []
    for text in _json_body(request).get("ranges") or []:
        rng = store.parse_range(book, text)
        store.clear(rng)
        SheetsSheet.objects.filter(pk=rng.sheet.pk).update(cells=rng.sheet.cells)
        cleared.append(rng.a1())
    return JsonResponse({"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared})


# Views. A spreadsheet's path may end in ":batchUpdate", a range's in ":append" or ":clear"
# (a range itself contains ":" and may contain "/"), so the views split the suffix off.

spreadsheets_view = _route("write", POST=_create)
_spreadsheet_get = _route(GET=_get)
_spreadsheet_batch = _route("write", POST=_batch_update)
_range_read = _route(GET=_values_get)
_range_write = _route("write", PUT=_values_update)
_range_append = _route("write", POST=_values_append)
_range_clear = _route("write", POST=_values_clear)
values_batch_get_view = _route(GET=_values_batch_get)
values_batch_update_view = _route("write", POST=_values_batch_update)
values_batch_clear_view = _route("write", POST=_values_batch_clear)


@csrf_exempt  # the views it dispatches to are; this one must be too
def spreadsheet_view(request: HttpRequest, target: str) -> HttpResponse:
    spreadsheet_id, colon, method = target.partition(":")
    if colon and method == "batchUpdate":
        return _spreadsheet_batch(request, spreadsheet_id=spreadsheet_id)
    if colon:
        return _route()(request)  # an unknown custom method (Google answers 404): 405
    return _spreadsheet_get(request, spreadsheet_id=spreadsheet_id)


@csrf_exempt
def range_view(request: HttpRequest, spreadsheet_id: str, target: str) -> HttpResponse:
    for suffix, view in ((":append", _range_append), (":clear", _range_clear)):
        if request.method == "POST" and target.endswith(suffix):
            return view(request, spreadsheet_id=spreadsheet_id, text=target[: -len(suffix)])
    view = _range_write if request.method == "PUT" else _range_read
    return view(request, spreadsheet_id=spreadsheet_id, text=target)
