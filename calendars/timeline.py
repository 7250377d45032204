"""The meetings kind of the timeline (``clianta.timeline``): meetings with a contact, past and
upcoming, once each however many members' calendars hold a copy."""

from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Now

from clianta.timeline import TimelineSource, columns

from .models import CalendarEvent, Meeting


def _meetings(workspace, contact_ids):
    attended = CalendarEvent.contacts.through.objects.filter(contact_id__in=contact_ids)
    first_copy = CalendarEvent.objects.filter(meeting=OuterRef("pk")).order_by("pk").values("pk")
    return columns(
        Meeting.objects.filter(
            workspace=workspace,
            pk__in=attended.values("calendarevent__meeting_id"),
            start__isnull=False,
        ),
        at=F("start"),
        kind="meeting",
        integration=Subquery(first_copy.values("integration__provider")[:1]),
        title=F("title"),
        status=Case(When(start__gt=Now(), then=Value("upcoming")), default=Value("")),
        ref=Subquery(first_copy[:1]),
    )


MEETING = TimelineSource(
    kind="meeting",
    description="Meetings with the contact, past and upcoming (the URL is a calendar's copy).",
    rows=_meetings,
    url_name="calendar-event-detail",
)
