"""The calendar app's backends, one per calendar provider, by the provider's slug. Adding one: its
module here (a ``CalendarBackend`` named ``BACKEND``) and one line below."""

from . import google_calendar

BACKENDS = {"google_calendar": google_calendar.BACKEND}
