"""Booking, rescheduling and cancelling through a booking link.

A booking is checked twice: against the synced calendars (the slot must be one the page can
show), then, inside a transaction holding a lock per member it could take, against the link's
other bookings and each member's provider free/busy at that moment. Two visitors choosing one
slot at once are serialised by those locks: the second finds the first's booking and is told
the time was just taken. The event is created in the organiser's calendar with the visitor (and,
for "all", the other members) invited; the contact is created or linked by email."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from calendars import services as calendars
from calendars.availability import subtract
from clianta import contacts

from . import slots
from .models import Booking, BookingLink

logger = logging.getLogger("bookings")
MANAGE_SALT = "bookings.manage"


class BookingRefused(Exception):
    """The booking cannot be made; the message is for the visitor."""


class SlotTaken(BookingRefused):
    def __init__(self):
        super().__init__("This time was just taken. Please choose another.")


# Signed links --------------------------------------------------------------------------------


def manage_token(booking: Booking) -> str:
    return signing.dumps(str(booking.pk), salt=MANAGE_SALT)


def from_token(token: str) -> Booking | None:
    """The booking a signed link names; None when the link was altered or names none."""
    try:
        booking_id = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None
    return Booking.objects.select_related("link").filter(pk=booking_id).first()


def manage_url(booking: Booking) -> str:
    return settings.PUBLIC_URL + reverse("booking-manage", args=[manage_token(booking)])


# Checks --------------------------------------------------------------------------------------


def _hold(user_ids) -> None:
    """Until the transaction ends, one booking at a time for each of these members."""
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time anyway
    with connection.cursor() as cursor:
        for user_id in sorted(user_ids):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"booking:{user_id}"]
            )


def _still_free(link, hosts, start, end, moving: Booking | None) -> dict:
    """``{host: calendar}`` of the hosts still free from ``start`` to ``end`` (buffers
    included): no other booking of theirs overlaps, and their provider's free/busy shows nothing
    then."""
    before, after = slots.buffers(link)
    overlapping = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, start__lt=end + after, end__gt=start - before
    ).exclude(pk=moving.pk if moving else None)
    taken = {host for booking in overlapping for host in booking.hosts}
    free = {}
    for host, calendar in calendars.calendars_of(link.workspace_id, hosts).items():
        if host in taken:
            continue
        busy = calendars.check_availability(calendar, start - before, end + after)
        if moving is not None:
            busy = subtract(busy, [(moving.start, moving.end)])
        if not busy:
            free[host] = calendar
    return free


def _hosts_of_slot(link: BookingLink, start: datetime, moving: Booking | None) -> tuple[int, ...]:
    end = start + timedelta(minutes=link.duration_minutes)
    span = (start, end)
    opens, closes = slots.window(link)
    if not (opens <= start and end <= closes):
        raise BookingRefused("This time cannot be booked: choose one of the times shown.")
    members = slots.members_of(link, span, exclude=moving)
    if moving is not None:
        own = slots.padded(link, [(moving.start, moving.end)])
        members = [
            slots.Member(m.user_id, m.hours, subtract(m.busy, own), m.full_days) for m in members
        ]
    found = [slot for slot in slots.compute(link, members, span) if slot.start == start]
    if not found:
        raise SlotTaken()
    return found[0].hosts


def _next_in_turn(link: BookingLink, hosts: list[int]) -> int:
    """Round robin: the free host with the fewest bookings of the link, then the one booked
    least recently, then the first to join."""
    counts = {
        row["organizer_id"]: (row["n"], row["last"])
        for row in Booking.objects.filter(link=link, status=Booking.Status.CONFIRMED)
        .values("organizer_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    }
    never = datetime.min.replace(tzinfo=UTC)

    def turn(host: int):
        booked, last = counts.get(host, (0, None))
        return booked, last or never, host

    return min(hosts, key=turn)


def _check_visitor(link: BookingLink, email: str) -> None:
    upcoming = Booking.objects.filter(
        workspace_id=link.workspace_id,
        email__iexact=email,
        status=Booking.Status.CONFIRMED,
        start__gt=timezone.now(),
    ).count()
    if upcoming >= settings.BOOKINGS_MAX_UPCOMING_PER_EMAIL:
        raise BookingRefused(
            "You already have the most upcoming meetings booked with us: cancel one to book "
            "another."
        )


# Operations ----------------------------------------------------------------------------------


def _description(link: BookingLink, name: str, email: str, answers: dict) -> str:
    lines = [f"Booked by {name} <{email}> through {link.title}."]
    lines += [f"{question}: {answer}" for question, answer in answers.items() if answer]
    return "\n".join(lines)


def book(
    link: BookingLink, start: datetime, *, name: str, email: str, answers: dict, time_zone: str
) -> Booking:
    """Book ``start`` on the link for the visitor; BookingRefused (SlotTaken for a time taken
    meanwhile) when it cannot be."""
    if link.paused:
        raise BookingRefused("This booking link is paused.")
    email = email.strip().lower()
    _check_visitor(link, email)
    candidates = _hosts_of_slot(link, start, None)
    end = start + timedelta(minutes=link.duration_minutes)
    with transaction.atomic():
        _hold(candidates)
        free = _still_free(link, list(candidates), start, end, None)
        if link.assignment == BookingLink.Assignment.ALL:
            if len(free) < len(candidates):
                raise SlotTaken()
            hosts = list(candidates)
        else:
            if not free:
                raise SlotTaken()
            hosts = [_next_in_turn(link, list(free))]
        contact = contacts.ensure(link.workspace_id, {email: name})[email]
        event = calendars.create_event(
            free[hosts[0]],
            f"{link.title}: {name}",
            start,
            end,
            [email, *(free[host].email for host in hosts[1:])],
            description=_description(link, name, email, answers),
            location=link.location,
            add_video_conference=link.video_conference,
        )
        booking = Booking.objects.create(
            workspace_id=link.workspace_id,
            link=link,
            organizer_id=hosts[0],
            hosts=hosts,
            start=start,
            end=end,
            name=name,
            email=email,
            answers=answers,
            time_zone=time_zone,
            contact=contact,
            calendar_event=event.pk,
        )
        transaction.on_commit(lambda: _confirm(booking, event.conference_link))
    logger.info("booking.created", extra={"booking": str(booking.pk), "link": str(link.pk)})
    return booking


def reschedule(booking: Booking, start: datetime) -> Booking:
    """Move the booking to ``start`` with the same members; the provider event moves too."""
    link = booking.link
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingRefused("This meeting was cancelled.")
    candidates = _hosts_of_slot(link, start, booking)
    if not set(booking.hosts) <= set(candidates):
        raise SlotTaken()
    end = start + timedelta(minutes=link.duration_minutes)
    with transaction.atomic():
        _hold(booking.hosts)
        if len(_still_free(link, booking.hosts, start, end, booking)) < len(booking.hosts):
            raise SlotTaken()
        event = calendars.workspace_event(link.workspace, booking.calendar_event)
        if event is not None:
            calendars.move_event(event, start, end)
        Booking.objects.filter(pk=booking.pk).update(start=start, end=end)
    booking.refresh_from_db()
    return booking


def cancel(booking: Booking) -> None:
    """Cancel the booking and its provider event (attendees told)."""
    if booking.status == Booking.Status.CANCELLED:
        return
    with transaction.atomic():
        event = calendars.workspace_event(booking.link.workspace, booking.calendar_event)
        if event is not None:
            calendars.cancel_event(event)
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
        )
    booking.refresh_from_db()


def _confirm(booking: Booking, conference_link: str) -> None:
    """Email the visitor the time and the signed link to reschedule or cancel (the calendar
    invitation comes from the organiser's calendar)."""
    lines = [
        f"Hello {booking.name},",
        "",
        f'Your meeting "{booking.link.title}" is booked for '
        f"{booking.start:%Y-%m-%d %H:%M} UTC ({booking.link.duration_minutes} minutes).",
    ]
    if conference_link:
        lines.append(f"Join: {conference_link}")
    lines += ["", f"To reschedule or cancel: {manage_url(booking)}"]
    try:
        send_mail(
            subject=f"Booked: {booking.link.title}",
            message="\n".join(lines),
            from_email=None,
            recipient_list=[booking.email],
        )
    except Exception:
        logger.exception("booking.mail_failed", extra={"booking": str(booking.pk)})
