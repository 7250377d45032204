"""The whole booking flow in Chromium: a member makes a link through the API; a visitor in Los
Angeles opens it (the page finds their time zone), switches to Paris, books, and sees the
confirmation. Screenshots in test-artifacts/."""

import re

import pytest

from bookings.models import Booking
from clianta.models import Membership
from sandbox.google import calendar_store
from tests.browser import shot

from .conftest import ALICE

pytestmark = pytest.mark.django_db(transaction=True)


def hours(clock: str) -> int:
    return int(clock.split(":")[0])


def test_a_visitor_books_through_the_page(
    page, live_server, client_for, alice, workspace_a, calendars
):
    me = Membership.objects.get(workspace=workspace_a, user=alice)
    made = client_for(alice).post(
        "/api/booking-links",
        {
            "title": "Product demo",
            "duration_minutes": 45,
            "members": [str(me.pk)],
            "min_notice_minutes": 60,
            "questions": [{"label": "Company size", "required": True}],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    path = "/book/" + made.json()["url"].rsplit("/book/", 1)[1]

    visitor = page.context.browser.new_context(timezone_id="America/Los_Angeles")
    tab = visitor.new_page()
    tab.goto(live_server.url + path)
    tab.wait_for_url(re.compile(r"tz=America%2FLos_Angeles"))
    assert tab.locator("[data-zone]").inner_text() == "America/Los_Angeles"
    in_los_angeles = tab.locator("a.slot").first.inner_text()
    shot(tab, "booking-1-slots-los-angeles")

    tab.select_option("#tz", "Europe/Paris")
    tab.wait_for_url(re.compile(r"tz=Europe%2FParis"))
    assert tab.locator("[data-zone]").inner_text() == "Europe/Paris"
    first = tab.locator("a.slot").first
    chosen = first.inner_text()
    # The same first free moment, nine hours later on Paris clocks in winter (eight or ten
    # around the two DST changes, which fall on different dates).
    assert (hours(chosen) - hours(in_los_angeles)) % 24 in {8, 9, 10}
    shot(tab, "booking-2-slots-paris")
    first.click()

    assert chosen in tab.locator("[data-start]").inner_text()
    tab.fill("#name", "Ada Lovelace")
    tab.fill("#email", "ada@acme.example")
    tab.click("button.primary")  # the required question is empty: the browser asks for it
    tab.fill("#q0", "About 50 people")
    shot(tab, "booking-3-details")
    tab.click("button.primary")

    tab.wait_for_selector("[data-booked]")
    shot(tab, "booking-4-confirmed")
    booking = Booking.objects.get()
    assert (booking.name, booking.time_zone) == ("Ada Lovelace", "Europe/Paris")
    assert tab.locator("[data-start]").inner_text().endswith(chosen)
    assert calendar_store.events(ALICE).get().summary == "Product demo: Ada Lovelace"
    visitor.close()
