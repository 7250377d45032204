"""/api/booking-links and /api/bookings: who creates and changes links, what a link may book,
hostile input, and workspace isolation."""

import pytest

from bookings.models import Booking, BookingLink
from clianta.models import Membership
from tests.otp import log_in_staff

from .conftest import book

pytestmark = pytest.mark.django_db(transaction=True)


def membership(workspace, user):
    return str(Membership.objects.get(workspace=workspace, user=user).pk)


def body(*members, **fields):
    return {"title": "Intro call", "duration_minutes": 30, "members": list(members), **fields}


def test_a_member_creates_a_link_that_books_themself(client_for, calendars, workspace_a, alice):
    bob = next(user for user in calendars if user != alice)
    api = client_for(bob)

    created = api.post("/api/booking-links", body(membership(workspace_a, bob)), format="json")

    assert created.status_code == 201, created.json()
    link = BookingLink.objects.get()
    assert created.json()["url"].endswith(f"/book/{link.slug}")
    assert len(link.slug) >= 16 and link.created_by == bob
    others = body(membership(workspace_a, alice), membership(workspace_a, bob))
    refused = api.post("/api/booking-links", others, format="json")
    assert refused.status_code == 403
    assert "owners and admins" in refused.json()["error"]
    assert BookingLink.objects.count() == 1


def test_an_owner_books_colleagues_but_only_ones_with_a_calendar(
    api_a, calendars, workspace_a, alice, make_user
):
    bob = next(user for user in calendars if user != alice)
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace_a, user=carol)
    team = body(membership(workspace_a, alice), membership(workspace_a, bob))
    assert (
        api_a.post(
            "/api/booking-links", {**team, "assignment": "round_robin"}, format="json"
        ).status_code
        == 201
    )

    refused = api_a.post("/api/booking-links", body(membership(workspace_a, carol)), format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"]["members"][0].startswith("No connected calendar: carol.")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Intro\r\nBcc: x@evil.example"}, "title"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"duration_minutes": 10_000}, "duration_minutes"),
        ({"days_ahead": 0}, "days_ahead"),
        ({"questions": [{"label": "x" * 201}]}, "questions"),
        ({"questions": [{"label": "q", "required": True}] * 11}, "questions"),
        ({"members": []}, "members"),
        ({"assignment": "everyone"}, "assignment"),
    ],
)
def test_hostile_or_impossible_links_are_refused(
    api_a, calendars, workspace_a, alice, changes, field
):
    response = api_a.post(
        "/api/booking-links", {**body(membership(workspace_a, alice)), **changes}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not BookingLink.objects.exists()


def test_only_the_creator_and_managers_change_a_link(
    client_for, calendars, workspace_a, alice, make_link
):
    bob = next(user for user in calendars if user != alice)
    link = make_link()
    api = client_for(bob)
    assert api.get(f"/api/booking-links/{link.pk}").status_code == 200
    assert (
        api.patch(f"/api/booking-links/{link.pk}", {"paused": True}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/booking-links/{link.pk}").status_code == 403
    assert (
        client_for(alice)
        .patch(f"/api/booking-links/{link.pk}", {"paused": True}, format="json")
        .status_code
        == 200
    )
    link.refresh_from_db()
    assert link.paused


def test_bookings_are_listed_with_filters_and_cancelled_by_the_organiser(
    api_a, client_for, calendars, make_link, alice
):
    bob = next(user for user in calendars if user != alice)
    link = make_link()
    booking = book(link)
    listed = api_a.get("/api/bookings", {"link": str(link.pk), "email": "ADA@acme.example"}).json()
    assert [b["id"] for b in listed["results"]] == [str(booking.pk)]
    assert api_a.get("/api/bookings", {"status": "cancelled"}).json()["results"] == []

    assert client_for(bob).post(f"/api/bookings/{booking.pk}/cancel").status_code == 403
    cancelled = api_a.post(f"/api/bookings/{booking.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_another_workspace_sees_nothing(api_b, make_link):
    link = make_link()
    booking = book(link)
    assert api_b.get("/api/booking-links").json()["results"] == []
    assert api_b.get(f"/api/booking-links/{link.pk}").status_code == 404
    assert (
        api_b.patch(f"/api/booking-links/{link.pk}", {"paused": True}, format="json").status_code
        == 404
    )
    assert api_b.get(f"/api/bookings/{booking.pk}").status_code == 404
    assert api_b.post(f"/api/bookings/{booking.pk}/cancel").status_code == 404
    assert Booking.objects.get().status == "confirmed"


def test_a_link_cannot_name_another_workspaces_member(api_b, workspace_a, alice, calendars):
    response = api_b.post("/api/booking-links", body(membership(workspace_a, alice)), format="json")
    assert response.status_code == 400
    assert not BookingLink.objects.exists()


def test_staff_see_each_links_bookings_in_the_admin(client, make_user, make_link):
    link = make_link()
    booking = book(link)
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))

    page = client.get(f"/admin/bookings/bookinglink/{link.pk}/change/")
    assert page.status_code == 200
    assert "ada@acme.example" in page.content.decode()
    listed = client.get("/admin/bookings/booking/", {"q": "ada@acme"})
    assert str(booking.pk) in listed.content.decode()
    assert client.get("/admin/bookings/booking/add/").status_code == 403
