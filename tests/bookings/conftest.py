"""Two members of workspace A with their Google calendars in the sandbox, and a booking link
that books them."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from bookings import services, slots
from bookings.models import BookingLink
from clianta.models import Membership
from tests.calendars.conftest import make_calendar  # noqa: F401
from tests.conftest import sandbox_tokens

SCOPE = "https://www.googleapis.com/auth/calendar"
ALICE = "alice@clianta.example"
BOB = "bob@clianta.example"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def calendars(
    sandbox,
    make_calendar,  # noqa: F811
    alice,
    make_user,
    workspace_a,
):
    """{user: calendar} for Alice (owner, UTC) and Bob (member, UTC)."""
    bob = make_user("bob-member")
    Membership.objects.create(workspace=workspace_a, user=bob)
    return {
        alice: make_calendar(ALICE, user=alice, **sandbox_tokens(ALICE, SCOPE)),
        bob: make_calendar(BOB, user=bob, **sandbox_tokens(BOB, SCOPE)),
    }


@pytest.fixture
def make_link(workspace_a, alice, calendars):
    def make(users=None, **fields):
        fields = {"title": "Intro call", "duration_minutes": 30, "min_notice_minutes": 0, **fields}
        link = BookingLink.objects.create(workspace=workspace_a, created_by=alice, **fields)
        users = users or [alice]
        link.members.set(Membership.objects.filter(workspace=workspace_a, user__in=users))
        return link

    return make


def first_slot(link, skip=0):
    return slots.for_link(link)[skip]


def book(link, start=None, *, email="ada@acme.example", name="Ada"):
    """A booking as the page makes one, at ``start`` (default: the link's first free slot)."""
    start = start or first_slot(link).start
    return services.book(link, start, name=name, email=email, answers={}, time_zone="UTC")


def later(slot, minutes):
    return slot.start + timedelta(minutes=minutes)
