"""The calendar providers, by slug. Adding one: its module here and one line below."""

from .google_calendar import GOOGLE_CALENDAR

PROVIDERS = {"google_calendar": GOOGLE_CALENDAR}
