"""Booking through the public page, against the sandbox's Google Calendar: the event with its
attendees and conference, the contact, the CRM event, the confirmation email; a slot taken at
the provider meanwhile; two visitors on one slot; round robin; the signed links."""

from datetime import timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from bookings import services, slots
from bookings.models import Booking
from calendars.models import CalendarEvent
from clianta.models import Contact, CrmEvent
from sandbox import faults
from sandbox.google import calendar_store
from tests.conftest import in_parallel

from .conftest import ALICE, BOB, book, first_slot

pytestmark = pytest.mark.django_db(transaction=True)
ZONE = "Europe/Paris"


def page_of(link, **params):
    return f"/book/{link.slug}?{urlencode({'tz': ZONE, **params})}"


def post_booking(client, link, start, **fields):
    form = {
        "start": start.isoformat(),
        "tz": ZONE,
        "name": "Ada Lovelace",
        "email": "ada@acme.example",
        **fields,
    }
    return client.post(f"/book/{link.slug}", form)


def test_a_visitor_books_a_slot_and_gets_the_event_contact_and_email(client, make_link):
    link = make_link(questions=[{"label": "What should we talk about?", "required": True}])
    slot = first_slot(link)

    page = client.get(page_of(link))
    assert page.status_code == 200
    local = slot.start.astimezone(ZoneInfo(ZONE))
    assert f"start={quote(local.isoformat(), safe='/')}" in page.content.decode()
    details = client.get(page_of(link, start=local.isoformat()))
    assert "What should we talk about?" in details.content.decode()

    booked = post_booking(client, link, local, q0="Pricing <b>now</b>")

    assert booked.status_code == 302, booked.content.decode()
    booking = Booking.objects.get()
    assert (booking.start, booking.hosts, booking.time_zone) == (
        slot.start,
        [link.created_by_id],
        ZONE,
    )
    event = calendar_store.events(ALICE).get()
    assert [a["email"] for a in event.attendees if not a.get("organizer")] == ["ada@acme.example"]
    assert event.conference and event.summary == "Intro call: Ada Lovelace"
    assert [n["to"] for n in event.notifications] == [["ada@acme.example"]]  # the invitation
    assert "What should we talk about?: Pricing <b>now</b>" in event.description
    contact = Contact.objects.get(email="ada@acme.example")
    assert (contact.first_name, booking.contact) == ("Ada", contact)
    scheduled = CrmEvent.objects.get(type="meeting.scheduled")
    assert scheduled.data["contact_id"] == str(contact.pk)
    assert booking.calendar_event == CalendarEvent.objects.get().pk

    confirmation = client.get(booked["Location"])
    assert "Your meeting is booked" in confirmation.content.decode()
    [email] = mail.outbox
    assert email.to == ["ada@acme.example"]
    assert services.manage_url(booking).split("/book/manage/")[1][:20] in email.body


def test_a_slot_taken_at_the_provider_after_the_page_loaded_is_refused_with_fresh_slots(
    client, make_link
):
    link = make_link()
    slot = first_slot(link)
    client.get(page_of(link))
    calendar_store.add_event(ALICE, summary="Dentist", start=slot.start, end=slot.end)

    response = post_booking(client, link, slot.start)

    assert response.status_code == 409
    assert "This time was just taken" in response.content.decode()
    assert not Booking.objects.exists()
    assert calendar_store.events(ALICE).count() == 1
    assert "Dentist" not in response.content.decode()


def test_two_visitors_choosing_one_slot_at_once_get_one_booking(make_link):
    link = make_link()
    slot = first_slot(link)
    emails = iter(["one@acme.example", "two@acme.example"])

    def attempt():
        email = next(emails)
        try:
            return book(link, slot.start, email=email)
        except services.SlotTaken:
            return "taken"

    results = in_parallel(attempt)

    assert sorted(results, key=lambda r: r == "taken")[1] == "taken"
    assert isinstance(sorted(results, key=lambda r: r == "taken")[0], Booking)
    assert Booking.objects.count() == 1
    assert calendar_store.events(ALICE).count() == 1


def test_round_robin_takes_turns_among_the_free_members(make_link, calendars, alice):
    bob = next(user for user in calendars if user != alice)
    link = make_link(users=[alice, bob], assignment="round_robin", duration_minutes=30)
    organisers = []
    for number in range(4):
        slot = first_slot(link, skip=number * 2)
        email = f"visitor{number}@acme.example"
        booking = book(link, slot.start, email=email)
        organisers.append(booking.organizer_id)

    assert sorted(organisers) == sorted([alice.pk, bob.pk] * 2)
    assert organisers[0] != organisers[1]
    assert calendar_store.events(ALICE).count() == calendar_store.events(BOB).count() == 2


def test_all_members_book_one_event_with_the_others_invited(make_link, calendars, alice):
    bob = next(user for user in calendars if user != alice)
    link = make_link(users=[alice, bob])
    booking = book(link)
    assert sorted(booking.hosts) == sorted([alice.pk, bob.pk])
    event = calendar_store.events(
        calendars[next(u for u in calendars if u.pk == booking.hosts[0])].email
    ).get()
    assert {a["email"] for a in event.attendees} >= {"ada@acme.example"}
    assert len(event.attendees) >= 2
    # The other host is now taken for that time, whichever link asks.
    other = make_link(users=[bob])
    assert booking.start not in [slot.start for slot in slots.for_link(other)]
    with pytest.raises(services.SlotTaken):
        book(other, booking.start, email="b@acme.example")


def test_the_signed_link_reschedules_and_cancels_and_a_tampered_one_is_refused(client, make_link):
    link = make_link()
    slot, later = first_slot(link), first_slot(link, skip=3)
    booking = book(link, slot.start)
    path = f"/book/manage/{services.manage_token(booking)}"

    tampered = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert tampered.status_code == 400
    assert client.get(f"/book/manage/{booking.pk}").status_code == 400

    moved = client.post(path, {"action": "reschedule", "start": later.start.isoformat()})
    assert moved.status_code == 200, moved.content.decode()
    booking.refresh_from_db()
    assert booking.start == later.start
    event = calendar_store.events(ALICE).get()
    assert event.start_at == later.start
    assert [n["kind"] for n in event.notifications] == ["invitation", "update"]

    cancelled = client.post(path, {"action": "cancel"})
    assert "Your meeting was cancelled" in cancelled.content.decode()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    cancelled_event = calendar_store.events(ALICE).get()
    assert cancelled_event.status == "cancelled"
    assert cancelled_event.notifications[-1]["kind"] == "cancellation"
    assert CalendarEvent.objects.get().status == "cancelled"


def test_robots_and_floods_are_refused(client, make_link, settings):
    link = make_link()
    slot = first_slot(link)
    trapped = post_booking(client, link, slot.start, website="http://spam.example")
    assert trapped.status_code == 400
    assert not Booking.objects.exists()

    settings.BOOKINGS_PER_IP_PER_HOUR = 1
    assert post_booking(client, link, slot.start).status_code == 302
    flooded = post_booking(client, link, first_slot(link, skip=2).start, email="x@acme.example")
    assert flooded.status_code == 429
    assert Booking.objects.count() == 1


def test_a_visitor_holds_a_bounded_number_of_upcoming_meetings(make_link, settings):
    settings.BOOKINGS_MAX_UPCOMING_PER_EMAIL = 1
    link = make_link()
    book(link)
    with pytest.raises(services.BookingRefused, match="most upcoming meetings"):
        book(link, first_slot(link, skip=2).start, email="ADA@acme.example")


def test_a_paused_link_books_nothing(client, make_link):
    link = make_link(paused=True)
    assert client.get(page_of(link)).status_code == 410
    assert client.get("/book/not-a-link").status_code == 404


def test_a_calendar_that_fails_books_nothing_and_says_so(client, make_link):
    link = make_link()
    slot = first_slot(link)
    faults.inject("google", r"/calendars/.+/events$", status=500, times=None)

    response = post_booking(client, link, slot.start)

    assert response.status_code == 503
    assert "nothing was booked" in response.content.decode()
    assert not Booking.objects.exists()
    assert not Contact.objects.exists()
    assert not CrmEvent.objects.filter(type="meeting.scheduled").exists()


def test_a_meeting_moves_into_its_own_buffers(make_link):
    """With 15 minutes before and 30 after, a meeting moved half an hour earlier overlaps only
    its own old time and buffers: that is free for it."""
    link = make_link(buffer_before_minutes=15, buffer_after_minutes=30)
    starts = {slot.start for slot in slots.for_link(link)}
    start = min(s for s in starts if s - timedelta(minutes=30) in starts)
    booking = book(link, start)

    moved = services.reschedule(booking, start - timedelta(minutes=30))

    assert moved.start == start - timedelta(minutes=30)
    assert calendar_store.events(ALICE).get().start_at == moved.start


@pytest.mark.parametrize("name", ["Ada\r\nBcc: x@evil.example", "Ada\u2028Lovelace", "", "A" * 201])
def test_a_name_must_be_one_short_line(client, make_link, name):
    link = make_link()
    response = post_booking(client, link, first_slot(link).start, name=name)

    assert response.status_code == 400
    assert "one line, up to 200 characters" in response.content.decode()
    assert not Booking.objects.exists()
