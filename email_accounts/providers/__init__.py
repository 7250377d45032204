"""The mail providers, by slug. Adding one: its module here and one line below."""

from .gmail import GMAIL

PROVIDERS = {"gmail": GMAIL}
