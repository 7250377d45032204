"""The public pages of a booking link (no login): the free slots in the visitor's time zone, the
questions, the confirmation, and the signed page to reschedule or cancel. Per-IP and per-link
rate limits and a honeypot field keep robots out; the page shows free slots only, never what
fills the members' calendars."""

from __future__ import annotations

import time
import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import BaseThrottle

from clianta.api.strict import single_line
from integrations.errors import IntegrationError

from . import services, slots
from .models import Booking, BookingLink

DAYS_SHOWN = 7
HONEYPOT = "website"
UNREACHABLE = "The calendar could not be reached: nothing was booked. Please try again."


def _show(request, page: str, context: dict, status: int = 200):
    """One of the pages, its times in the visitor's zone (``context["zone"]``)."""
    with timezone.override(zoneinfo.ZoneInfo(context["zone"])):
        return render(request, f"bookings/{page}.html", context, status=status)


def _message(request, title: str, message: str, status: int):
    return render(
        request, "bookings/message.html", {"title": title, "message": message}, status=status
    )


@cache
def time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def page_url(link: BookingLink) -> str:
    return settings.PUBLIC_URL + reverse("booking-page", args=[link.slug])


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    return zoneinfo.ZoneInfo(name) if name in time_zones() else None


def _too_many(kind: str, key: str, limit: int, seconds: int) -> bool:
    """Counts one more ``kind`` for ``key`` in the current period of ``seconds``."""
    bucket = f"bookings:{kind}:{key}:{int(time.time() // seconds)}"
    shared.add(bucket, 0, seconds)
    return shared.incr(bucket) > limit


def _ip(request) -> str:
    """The visitor's address by the API's rule (behind TRUSTED_PROXY_COUNT proxies, the one
    they appended to X-Forwarded-For)."""
    return BaseThrottle().get_ident(request) or ""


def _days(link: BookingLink, zone, first: date, exclude_hosts=None) -> list[tuple[date, list]]:
    """The free slots of ``DAYS_SHOWN`` local days from ``first``, by day."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    found = slots.for_link(link, (start, start + timedelta(days=DAYS_SHOWN)))
    if exclude_hosts:
        found = [slot for slot in found if set(exclude_hosts) <= set(slot.hosts)]
    by_day: dict[date, list] = {first + timedelta(days=n): [] for n in range(DAYS_SHOWN)}
    for slot in found:
        local = slot.start.astimezone(zone)
        by_day.setdefault(local.date(), []).append(local)
    return sorted(by_day.items())


def _first_day(request, link: BookingLink, zone) -> date:
    opens, closes = slots.window(link)
    earliest, latest = opens.astimezone(zone).date(), closes.astimezone(zone).date()
    try:
        wanted = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        wanted = earliest
    return min(max(wanted, earliest), latest)


def _slots_context(request, link: BookingLink, zone, exclude_hosts=None) -> dict:
    first = _first_day(request, link, zone)
    return {
        "link": link,
        "zone": zone.key,
        "zones": time_zones(),
        "days": _days(link, zone, first, exclude_hosts),
        "previous_day": (first - timedelta(days=DAYS_SHOWN)).isoformat(),
        "next_day": (first + timedelta(days=DAYS_SHOWN)).isoformat(),
    }


def _start(value: str, zone) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start if start.tzinfo else start.replace(tzinfo=zone)


@require_http_methods(["GET", "POST"])
def page(request, slug: str):
    link = get_object_or_404(BookingLink, slug=slug)
    if link.paused:
        return _message(request, link.title, "This booking link is paused.", 410)
    if _too_many("view", _ip(request), settings.BOOKINGS_VIEWS_PER_IP_PER_MINUTE, 60):
        return _slow_down(request, link)
    zone = _zone(request.POST.get("tz") or request.GET.get("tz"))
    if zone is None:
        # The page's script asks again with the browser's time zone; UTC until then.
        context = _slots_context(request, link, zoneinfo.ZoneInfo("UTC"))
        return _show(request, "page", {**context, "detect_zone": True})
    if request.method == "POST":
        return _book(request, link, zone)
    start = _start(request.GET.get("start", ""), zone)
    if start is not None:
        return _show(request, "details", _details(link, zone, start, {}))
    return _show(request, "page", _slots_context(request, link, zone))


def _details(link, zone, start, values, errors=None) -> dict:
    errors = errors or {}
    questions = [
        {
            "name": f"q{number}",
            "label": question["label"],
            "required": question.get("required", False),
            "value": values.get(f"q{number}", ""),
            "error": errors.get(f"q{number}", ""),
        }
        for number, question in enumerate(link.questions)
    ]
    return {
        "link": link,
        "questions": questions,
        "zone": zone.key,
        "start": start.astimezone(zone),
        "values": values,
        "errors": errors,
        "honeypot": HONEYPOT,
    }


def _slow_down(request, link):
    return _message(request, link.title, "Too many requests: please wait a few minutes.", 429)


def _answers(link: BookingLink, data) -> tuple[dict, dict]:
    answers, errors = {}, {}
    for number, question in enumerate(link.questions):
        answer = data.get(f"q{number}", "").strip()[:2000]
        if question.get("required") and not answer:
            errors[f"q{number}"] = "Please answer this question."
        answers[question["label"]] = answer
    return answers, errors


def _visitor(data) -> tuple[dict, dict]:
    values = {"name": data.get("name", "").strip(), "email": data.get("email", "").strip()}
    errors = {}
    name = values["name"]
    if not name or len(name) > 200 or not single_line.regex.search(name):
        errors["name"] = "Please give your name (one line, up to 200 characters)."
    try:
        validate_email(values["email"])
    except ValidationError:
        errors["email"] = "Please give a valid email address."
    return values, errors


def _book(request, link: BookingLink, zone):
    start = _start(request.POST.get("start", ""), zone)
    if start is None or request.POST.get(HONEYPOT):
        return _message(request, link.title, "This booking could not be made.", 400)
    values, errors = _visitor(request.POST)
    answers, question_errors = _answers(link, request.POST)
    errors.update(question_errors)
    values.update({f"q{n}": request.POST.get(f"q{n}", "") for n in range(len(link.questions))})
    if errors:
        return _show(request, "details", _details(link, zone, start, values, errors), status=400)
    if _too_many("book-ip", _ip(request), settings.BOOKINGS_PER_IP_PER_HOUR, 3600) or _too_many(
        "book-link", str(link.pk), settings.BOOKINGS_PER_LINK_PER_HOUR, 3600
    ):
        return _slow_down(request, link)
    try:
        booking = services.book(
            link,
            start,
            name=values["name"],
            email=values["email"],
            answers=answers,
            time_zone=zone.key,
        )
    except services.SlotTaken as exc:
        context = {**_slots_context(request, link, zone), "error": str(exc)}
        return _show(request, "page", context, status=409)
    except services.BookingRefused as exc:
        return _message(request, link.title, str(exc), 400)
    except IntegrationError:
        return _message(request, link.title, UNREACHABLE, 503)
    return redirect(reverse("booking-manage", args=[services.manage_token(booking)]) + "?booked=1")


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    booking = services.from_token(token)
    if booking is None:
        return _message(request, "Booking", "This link is not valid.", 400)
    zone = _zone(request.GET.get("tz")) or _zone(booking.time_zone) or zoneinfo.ZoneInfo("UTC")
    status = 200
    context = {"booking": booking, "booked": request.GET.get("booked") == "1", "token": token}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel(booking)
                context["done"] = "Your meeting was cancelled."
            else:
                start = _start(request.POST.get("start", ""), zone)
                if start is None:
                    raise services.BookingRefused("Choose one of the times shown.")
                services.reschedule(booking, start)
                context["done"] = "Your meeting was moved."
        except services.BookingRefused as exc:
            context["error"], status = str(exc), 409
        except IntegrationError:
            context["error"], status = UNREACHABLE, 503
    if booking.status == Booking.Status.CONFIRMED:
        context.update(_slots_context(request, booking.link, zone, booking.hosts))
    context["zone"], context["local_start"] = zone.key, booking.start.astimezone(zone)
    return _show(request, "manage", context, status=status)
