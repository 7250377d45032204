"""Google Calendar API v3: events (list, get, insert, patch, update, delete, instances, watch),
channels.stop, freeBusy, and the calendar itself (calendars.get, calendarList.list), under
``/sandbox/google/calendar/v3/`` (GOOGLE_CALENDAR_API_URL).

google-api-python-client talks to it unmodified with
``build("calendar", "v3", credentials=..., client_options={"api_endpoint":
settings.GOOGLE_CALENDAR_API_URL})``. The calendar is the one of the access token's grant:
``primary`` or its email; other users' calendars are visible to freeBusy only. Shapes, scopes
and errors follow https://developers.google.com/calendar/api/v3/reference and the discovery
document the client bundles. State is in ``calendar_events``, test helpers in ``calendar_store``.
"""

from __future__ import annotations

import functools
import json

from django.http import HttpRequest, HttpResponse, JsonResponse

from sandbox.faults import sandbox_endpoint

from . import calendar_events as ce
from . import calendar_freebusy as cf
from . import calendar_push
from . import calendar_query as cq
from . import calendar_time as ct
from .calendar_resource import resource
from .calendar_time import Invalid
from .errors import api_error, api_error_body, api_router
from .tokens import authenticate

SCOPE = "https://www.googleapis.com/auth/calendar"
READ_SCOPES = [SCOPE, SCOPE + ".readonly", SCOPE + ".events", SCOPE + ".events.readonly"]
WRITE_SCOPES = [SCOPE, SCOPE + ".events"]
FREEBUSY_SCOPES = [SCOPE, SCOPE + ".readonly", SCOPE + ".freebusy", SCOPE + ".events.freebusy"]
GONE_MESSAGE = "Sync token is no longer valid, a full sync is required."


def _gone() -> JsonResponse:
    body = api_error_body(410, GONE_MESSAGE, "fullSyncRequired")
    body["error"]["status"] = "GONE"
    return JsonResponse(body, status=410)


# Each path's view dispatches on the method and maps the store's exceptions to Google's errors.
_route = api_router(
    {
        Invalid: lambda error: api_error(400, str(error), error.reason),
        ce.NotFound: lambda error: api_error(404, "Not Found", "notFound"),
        ce.Conflict: lambda error: api_error(
            409, "The requested identifier already exists.", "duplicate"
        ),
        ce.Deleted: lambda error: api_error(410, "Resource has been deleted", "deleted"),
        cq.Gone: lambda error: _gone(),
    }
)


def calendar_method(scopes: list[str]):
    """Authenticate the call (one of ``scopes``) and find the calendar it names; the view
    gets the calendar."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, calendar_id: str, **kwargs) -> HttpResponse:
            grant = authenticate(request, scopes)
            if isinstance(grant, HttpResponse):
                return grant
            if calendar_id != "primary" and calendar_id.lower() != grant.email.lower():
                raise ce.NotFound(calendar_id)
            return view(request, ce.calendar(grant.email), **kwargs)

        return wrapper

    return decorate


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        raise Invalid("Parse Error", "parseError") from error
    if not isinstance(body, dict):
        raise Invalid("Parse Error", "parseError")
    return body


def _write_options(request: HttpRequest) -> dict:
    """sendUpdates (sendNotifications=true, deprecated, means all) and conferenceDataVersion."""
    send = request.GET.get("sendUpdates")
    if send is not None and send not in ce.SEND_UPDATES:
        raise Invalid(f"Invalid value for sendUpdates: {send}", "invalidParameter")
    if send is None and request.GET.get("sendNotifications", "").lower() == "true":
        send = "all"
    version = request.GET.get("conferenceDataVersion", "0")
    if version not in ("0", "1"):
        raise Invalid(f"Invalid value for conferenceDataVersion: {version}", "invalidParameter")
    return {"send_updates": send, "conference_version": int(version)}


def _zone(request: HttpRequest, cal):
    try:
        return ct.zone(request.GET.get("timeZone") or cal.time_zone)
    except ValueError as error:
        raise Invalid("Invalid time zone definition.") from error


# Methods


@calendar_method(READ_SCOPES)
def _get_calendar(request, cal):
    return JsonResponse(
        {
            "kind": "calendar#calendar",
            "etag": f'"{cal.change_seq}"',
            "id": cal.email,
            "summary": cal.email,
            "timeZone": cal.time_zone,
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
    )


@calendar_method(READ_SCOPES)
def _list_events(request, cal):
    return JsonResponse(cq.list_events(cal, request.GET))


@calendar_method(WRITE_SCOPES)
def _insert_event(request, cal):
    event = ce.insert(cal, _json_body(request), **_write_options(request))
    return JsonResponse(resource(event, cal, ce.calendar_zone(cal)))


@calendar_method(READ_SCOPES)
def _get_event(request, cal, event_id):
    tz = _zone(request, cal)
    try:
        return JsonResponse(resource(ce.find(cal, event_id), cal, tz))
    except ce.NotFound:
        master, instance = ce.find_instance(cal, event_id)
    return JsonResponse(resource(master, cal, tz, instance=instance))


@calendar_method(READ_SCOPES)
def _list_instances(request, cal, event_id):
    if not cal.events.filter(event_id=event_id, recurring_event_id="").exists():
        raise ce.NotFound(event_id)
    return JsonResponse(cq.list_events(cal, request.GET, series_id=event_id))


@calendar_method(WRITE_SCOPES)
def _patch_event(request, cal, event_id):
    event = ce.patch(cal, event_id, _json_body(request), **_write_options(request))
    return JsonResponse(resource(event, cal, ce.calendar_zone(cal)))


@calendar_method(WRITE_SCOPES)
def _update_event(request, cal, event_id):
    body = _json_body(request)
    event = ce.patch(cal, event_id, body, replace=True, **_write_options(request))
    return JsonResponse(resource(event, cal, ce.calendar_zone(cal)))


@calendar_method(WRITE_SCOPES)
def _delete_event(request, cal, event_id):
    send = _write_options(request)["send_updates"]
    ce.cancel(cal, event_id, send_updates=send)
    return HttpResponse(status=204)


@sandbox_endpoint("google", api_error_body)
def free_busy_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return api_error(405, "Method Not Allowed")
    grant = authenticate(request, FREEBUSY_SCOPES)
    if isinstance(grant, HttpResponse):
        return grant
    try:
        return JsonResponse(cf.free_busy(grant.email, _json_body(request)))
    except Invalid as error:
        return api_error(400, str(error), error.reason)


@sandbox_endpoint("google", api_error_body)
def calendar_list_view(request: HttpRequest) -> HttpResponse:
    """calendarList.list: the user's one (primary) calendar."""
    if request.method != "GET":
        return api_error(405, "Method Not Allowed")
    grant = authenticate(request, READ_SCOPES)
    if isinstance(grant, HttpResponse):
        return grant
    cal = ce.calendar(grant.email)
    entry = {
        "kind": "calendar#calendarListEntry",
        "etag": f'"{cal.change_seq}"',
        "id": cal.email,
        "summary": cal.email,
        "timeZone": cal.time_zone,
        "accessRole": "owner",
        "primary": True,
        "selected": True,
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    return JsonResponse(
        {
            "kind": "calendar#calendarList",
            "etag": f'"{cal.change_seq}"',
            "items": [entry],
        }
    )


@calendar_method(READ_SCOPES)
def _watch_events(request, cal):
    resource_uri = request.build_absolute_uri(request.path.removesuffix("/watch"))
    try:
        channel = calendar_push.watch(cal, _json_body(request), resource_uri)
    except calendar_push.InvalidChannel as error:
        raise Invalid(str(error), "invalid") from error
    return JsonResponse(calendar_push.channel_json(channel, resource_uri))


def _stop_channel(request):
    grant = authenticate(request, READ_SCOPES)
    if isinstance(grant, HttpResponse):
        return grant
    if not calendar_push.stop(grant.email, _json_body(request)):
        raise ce.NotFound("channel")
    return HttpResponse(status=204)


calendar_view = _route(GET=_get_calendar)
events_view = _route(GET=_list_events, POST=_insert_event)
event_view = _route(GET=_get_event, PATCH=_patch_event, PUT=_update_event, DELETE=_delete_event)
instances_view = _route(GET=_list_instances)
watch_view = _route(POST=_watch_events)
stop_channel_view = _route(POST=_stop_channel)
