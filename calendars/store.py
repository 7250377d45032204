"""Writing a page of provider events: each member's copy upserted by (calendar, provider event
id), the workspace's meeting found or created by iCalUID, attendees linked to contacts,
cancellations marked (never dropped). A fixed number of queries per page."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clianta import contacts
from integrations.sync import Counts

from .models import CalendarEvent, CalendarIntegration, Meeting

Status = CalendarEvent.Status
#: A page item that empties the calendar's local copy before a full resync (after a 410).
WIPE = "wipe"
FIELDS = [
    "meeting",
    "title",
    "description",
    "location",
    "start",
    "end",
    "time_zone",
    "all_day",
    "status",
    "organizer",
    "attendees",
    "recurrence",
    "recurring_event_id",
    "conference_link",
    "html_link",
    "provider_updated_at",
]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def moment(value: dict, default_zone: str) -> tuple[datetime, bool]:
    """Google's ``{dateTime}`` or all-day ``{date}`` as an aware datetime, and whether all-day."""
    if value.get("dateTime"):
        parsed = datetime.fromisoformat(value["dateTime"])
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone(value.get("timeZone") or default_zone))
        return parsed, False
    day = date.fromisoformat(value["date"])
    return datetime.combine(day, time.min, tzinfo=zone(default_zone)), True


def _fields(integration: CalendarIntegration, item: dict) -> dict:
    start, all_day = moment(item["start"], integration.time_zone)
    end, _ = moment(item.get("end") or item["start"], integration.time_zone)
    organizer = (item.get("organizer") or {}).get("email", "")
    entry_points = (item.get("conferenceData") or {}).get("entryPoints", [])
    video = next((p.get("uri", "") for p in entry_points if p.get("entryPointType") == "video"), "")
    return {
        "title": item.get("summary", "")[:1024],
        "description": item.get("description", ""),
        "location": item.get("location", "")[:1024],
        "start": start,
        "end": end,
        "time_zone": item["start"].get("timeZone", "")[:64],
        "all_day": all_day,
        "status": item.get("status", Status.CONFIRMED),
        "organizer": organizer.lower(),
        "attendees": [
            {
                "email": a.get("email", "").lower(),
                "name": a.get("displayName", ""),
                "response_status": a.get("responseStatus", "needsAction"),
                "optional": bool(a.get("optional")),
                "organizer": bool(a.get("organizer")),
            }
            for a in item.get("attendees", [])
            if a.get("email")
        ],
        "recurrence": item.get("recurrence", []),
        "recurring_event_id": item.get("recurringEventId", ""),
        "conference_link": (item.get("hangoutLink") or video)[:1024],
        "html_link": item.get("htmlLink", "")[:2048],
        "provider_updated_at": datetime.fromisoformat(item["updated"])
        if item.get("updated")
        else None,
    }


def _occurrence(item: dict) -> str:
    original = item.get("originalStartTime") or {}
    return (original.get("dateTime") or original.get("date") or "")[:40]


def store(integration: CalendarIntegration, items: list) -> Counts:
    counts = Counts()
    if WIPE in items:
        counts.deleted += (
            CalendarEvent.objects.filter(integration=integration)
            .delete()[1]
            .get(CalendarEvent._meta.label, 0)
        )
        items = [i for i in items if i != WIPE]
    existing = {
        e.provider_event_id: e
        for e in CalendarEvent.objects.filter(
            integration=integration, provider_event_id__in=[i["id"] for i in items]
        )
    }
    usable = []
    for item in items:
        if "start" in item:
            usable.append(item)
        elif item.get("status") == Status.CANCELLED and item["id"] in existing:
            # With a sync token, a deleted event arrives as its id and status only.
            event = existing[item["id"]]
            if event.status != Status.CANCELLED:
                event.status = Status.CANCELLED
                CalendarEvent.objects.filter(pk=event.pk).update(status=Status.CANCELLED)
                counts.deleted += 1
        else:
            counts.skip("cancelled before it was synced")
    meetings = _meetings(integration, usable)
    new, changed = [], []
    for item in usable:
        values = _fields(integration, item)
        values["meeting_id"] = meetings[(item.get("iCalUID") or item["id"], _occurrence(item))].pk
        event = existing.get(item["id"])
        if event is None:
            new.append(
                CalendarEvent(
                    workspace_id=integration.workspace_id,
                    integration=integration,
                    provider_event_id=item["id"],
                    **values,
                )
            )
            continue
        if any(getattr(event, name) != value for name, value in values.items()):
            if values["status"] == Status.CANCELLED and event.status != Status.CANCELLED:
                counts.deleted += 1
            else:
                counts.updated += 1
            for name, value in values.items():
                setattr(event, name, value)
            changed.append(event)
    CalendarEvent.objects.bulk_create(new)
    CalendarEvent.objects.bulk_update(changed, FIELDS)
    counts.created += len(new)
    _link_contacts(integration, new + changed)
    return counts


def _meetings(integration: CalendarIntegration, items: list[dict]) -> dict:
    """The workspace's meeting of each (iCalUID, occurrence), created where missing: safe when
    two members' syncs meet the same meeting at once (the unique key decides)."""
    keys = {(i.get("iCalUID") or i["id"], _occurrence(i)): i for i in items}
    if not keys:
        return {}
    workspace_id = integration.workspace_id
    fresh = []
    for (uid, occurrence), item in keys.items():
        start, _ = moment(item["start"], integration.time_zone)
        end, _ = moment(item.get("end") or item["start"], integration.time_zone)
        fresh.append(
            Meeting(
                workspace_id=workspace_id,
                ical_uid=uid[:1024],
                occurrence=occurrence,
                title=item.get("summary", "")[:1024],
                start=start,
                end=end,
            )
        )
    Meeting.objects.bulk_create(fresh, ignore_conflicts=True)
    found = Meeting.objects.filter(
        workspace_id=workspace_id, ical_uid__in={uid for uid, _ in keys}
    ).only("pk", "ical_uid", "occurrence")
    return {(m.ical_uid, m.occurrence): m for m in found if (m.ical_uid, m.occurrence) in keys}


def _link_contacts(integration: CalendarIntegration, events: list[CalendarEvent]) -> None:
    """Attendees who are contacts are linked; the external attendees of meetings the member
    organises become contacts (as people the member writes to do in mail)."""
    own = integration.email.lower()
    addresses = {a["email"] for e in events for a in e.attendees if a["email"] != own}
    invited = {
        a["email"]: a["name"]
        for e in events
        if e.organizer == own
        for a in e.attendees
        if a["email"] != own
    }
    known = contacts.ensure(integration.workspace_id, invited) if invited else {}
    known.update(contacts.find(integration.workspace_id, addresses - set(known)))
    Link = CalendarEvent.contacts.through
    Link.objects.filter(calendarevent_id__in=[e.pk for e in events]).delete()
    Link.objects.bulk_create(
        [
            Link(calendarevent_id=e.pk, contact_id=known[a["email"]].pk)
            for e in events
            for a in e.attendees
            if a["email"] in known
        ],
        ignore_conflicts=True,
    )
