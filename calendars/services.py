"""The calendar service: connecting calendars, syncing them, free/busy and slots, and creating
events. The only place that talks to calendar providers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from clianta import events
from integrations import sync
from integrations.models import SyncLog

from . import availability, store
from .backends import BACKENDS
from .backends.google_calendar import NewEvent
from .models import CalendarEvent, CalendarIntegration


def connect_from_credential(credential, user) -> CalendarIntegration | None:
    """The primary calendar behind a Google Calendar credential just connected."""
    if credential.provider not in BACKENDS or not credential.account:
        return None
    integration, created = CalendarIntegration.objects.update_or_create(
        workspace_id=credential.workspace_id,
        credential=credential,
        calendar_id="primary",
        defaults={"email": credential.account.lower(), "provider": credential.provider},
    )
    if created and user is not None:
        CalendarIntegration.objects.filter(pk=integration.pk).update(user=user)
    return integration


def sync_job(integration: CalendarIntegration):
    return BACKENDS[integration.provider].sync_job(integration)


def sync_events(integration: CalendarIntegration, **run_options) -> SyncLog:
    """Pull what changed in the calendar (resumable, page by page)."""
    return sync.run(sync_job(integration), **run_options)


def check_availability(
    integration: CalendarIntegration, start: datetime, end: datetime
) -> list[availability.Interval]:
    """Busy blocks of the calendar between ``start`` and ``end`` (the provider's free/busy)."""
    busy = BACKENDS[integration.provider].free_busy(integration, start, end)
    return availability.merge(
        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"])) for b in busy
    )


def working_hours(integration: CalendarIntegration) -> availability.WorkingHours:
    return availability.WorkingHours(
        integration.time_zone,
        integration.working_hours_start,
        integration.working_hours_end,
        frozenset(integration.working_days),
    )


def calendars_of(workspace_id, user_ids) -> dict:
    """``{user id: calendar}``: the calendar each of the members connected in the workspace (the
    oldest, should one have several); members without one are left out."""
    found = {}
    rows = CalendarIntegration.objects.filter(
        workspace_id=workspace_id, credential__connected_by_id__in=list(user_ids)
    ).select_related("credential")
    for row in rows.order_by("created_at"):
        found.setdefault(row.credential.connected_by_id, row)
    return found


def synced_busy(integrations: list[CalendarIntegration], start: datetime, end: datetime) -> dict:
    """``{calendar id: busy intervals}`` between ``start`` and ``end`` from the synced events (no
    provider call, one query): every event not cancelled, merged per calendar."""
    found = {integration.pk: [] for integration in integrations}
    rows = (
        CalendarEvent.objects.filter(integration__in=integrations, start__lt=end, end__gt=start)
        .exclude(status=CalendarEvent.Status.CANCELLED)
        .values_list("integration_id", "start", "end")
    )
    for integration_id, event_start, event_end in rows:
        found[integration_id].append((event_start, event_end))
    return {key: availability.merge(value) for key, value in found.items()}


def suggest_slots(
    members: list[CalendarIntegration],
    duration: timedelta,
    window_start: datetime,
    window_end: datetime,
    step: timedelta = timedelta(minutes=30),
) -> list[availability.Interval]:
    """Slots of ``duration`` when every member is inside their working hours (in their own time
    zone) and free in their calendar."""
    schedules = [
        (working_hours(member), check_availability(member, window_start, window_end))
        for member in members
    ]
    free = availability.common_free(schedules, (window_start, window_end))
    return availability.slots(free, duration, step)


def create_event(
    integration: CalendarIntegration,
    title: str,
    start: datetime,
    end: datetime,
    attendees: list[str],
    description: str = "",
    location: str = "",
    add_video_conference: bool = False,
) -> CalendarEvent:
    """Create the event at the provider (invitations sent) and store it at once; a CRM event
    (``meeting.scheduled``) says so."""
    event = NewEvent(title, start, end, attendees, description, location, add_video_conference)
    item = BACKENDS[integration.provider].insert(integration, event)
    with transaction.atomic():
        store.store(integration, [item])
        stored = CalendarEvent.objects.get(integration=integration, provider_event_id=item["id"])
        contact = stored.contacts.order_by("pk").first()
        events.emit(
            events.MEETING_SCHEDULED,
            str(integration.workspace_id),
            contact_id=str(contact.pk) if contact else None,
            event_id=str(stored.pk),
            title=stored.title,
            starts_at=stored.start.isoformat().replace("+00:00", "Z"),
            attendees=[a["email"] for a in stored.attendees],
        )
    return stored


def move_event(event: CalendarEvent, start: datetime, end: datetime) -> CalendarEvent:
    """Move the event at the provider (attendees told) and here."""
    integration = event.integration
    item = BACKENDS[integration.provider].move(integration, event.provider_event_id, start, end)
    store.store(integration, [item])
    event.refresh_from_db()
    return event


def cancel_event(event: CalendarEvent) -> None:
    """Cancel the event at the provider (attendees told) and here."""
    integration = event.integration
    BACKENDS[integration.provider].cancel(integration, event.provider_event_id)
    CalendarEvent.objects.filter(pk=event.pk).update(status=CalendarEvent.Status.CANCELLED)


def workspace_event(workspace, event_id) -> CalendarEvent | None:
    """The event ``event_id`` of one of the workspace's calendars; None when it has no such
    event."""
    return CalendarEvent.objects.filter(pk=event_id, workspace=workspace).first()
