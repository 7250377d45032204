"""The email app's backends, one per mail provider, by the provider's slug. Adding one: its
module here (an :class:`~.base.EmailBackend` named ``BACKEND``) and one line below."""

from . import gmail, imap_smtp, outlook

BACKENDS = {"gmail": gmail.BACKEND, "smtp": imap_smtp.BACKEND, "outlook": outlook.BACKEND}
