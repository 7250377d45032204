"""``Authorization: Token <secret>`` for the API, through knox (digest compare, expiry), plus
what a token may do: a read-only token is refused unsafe methods, and every use is recorded."""

from __future__ import annotations

from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = "This API token is read-only."
    default_code = "read_only_token"


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication (an expired token is refused and deleted). Enforcing
    ``read_only`` here rather than in a permission class covers every view, also the ones that
    set their own ``permission_classes``."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        token.mark_used()
        if token.read_only and request.method not in SAFE_METHODS:
            raise ReadOnlyToken()
        return user, token


def token_of(request) -> ApiToken | None:
    """The API token the request was authenticated with, if any (``None`` for a session)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def token_workspace_id(request):
    """The workspace the request's token is limited to, or ``None`` (no token, or no limit)."""
    token = token_of(request)
    return token.workspace_id if token is not None else None


def refuse_a_limited_token(request, doing: str) -> None:
    """Refuse (403) a request whose token is limited to a workspace: ``doing`` reaches beyond it
    (creating a workspace, joining another)."""
    if token_workspace_id(request) is not None:
        raise exceptions.PermissionDenied(f"A token limited to a workspace cannot {doing}.")
