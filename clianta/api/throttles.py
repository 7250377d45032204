"""Request rates of the API, counted in the shared cache (``CACHES``) so that every web process
counts together. Rates come from ``settings.API_THROTTLE_RATES`` (env ``API_THROTTLE_*``), read
on each request; an empty rate means no limit.

- ``anon``: requests without credentials, per client address (views open to anyone);
- ``user``: everything one user does, with any token or session;
- ``token``: what one API token does, so a leaked token cannot use up its owner's whole rate;
- scoped rates, stricter, for what costs money or reaches people: sending email, SMS, voice
  drops, Apollo lookups. A view names its scope with ``throttle_scope`` (every action) or
  ``throttle_scopes = {action: scope}``; it is counted per user.

Over a rate the API answers 429 with ``Retry-After`` and code ``throttled`` (DRF's ``Throttled``
through ``clianta.api.errors``)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from clianta.tokens.auth import token_of


class _RateFromSettings(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope) or None

    def _key(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(_RateFromSettings):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self._key(self.get_ident(request))


class UserThrottle(_RateFromSettings):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self._key(request.user.pk)


class TokenThrottle(_RateFromSettings):
    scope = "token"

    def get_cache_key(self, request, view):
        token = token_of(request)
        return self._key(token.pk) if token is not None else None


class ScopedThrottle(_RateFromSettings):
    """The stricter rate of the scope the view names for this action, if any."""

    scope = None

    def __init__(self):
        # The scope is known only with the view (allow_request); the rate is read then.
        pass

    def allow_request(self, request, view):
        scopes = getattr(view, "throttle_scopes", {})
        self.scope = scopes.get(getattr(view, "action", None)) or getattr(
            view, "throttle_scope", None
        )
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self._key(request.user.pk)
        return self._key(self.get_ident(request))
