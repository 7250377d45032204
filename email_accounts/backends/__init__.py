"""The mail providers, by slug. Adding one: its module here and one line below."""

from .gmail import GMAIL
from .imap_smtp import SMTP
from .outlook import OUTLOOK

PROVIDERS = {"gmail": GMAIL, "smtp": SMTP, "outlook": OUTLOOK}
