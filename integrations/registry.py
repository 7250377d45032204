"""slug -> Provider: every integration the layer knows, and how to reach it.

Adding a provider: a module in ``integrations/providers/`` that defines its ``Provider``, and one
line in ``PROVIDERS`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.http import Http404

if TYPE_CHECKING:
    from .models import IntegrationCredential
    from .oauth.base import OAuthBackend


class AuthKind(StrEnum):
    OAUTH2 = "oauth2"
    API_KEY = "api_key"
    PASSWORD = "password"


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    category: str  # email, calendar, messaging, productivity, enrichment
    auth: AuthKind
    #: Setting names of the URLs it talks to (see settings.PROVIDER_ENDPOINTS).
    endpoints: tuple[str, ...]
    scopes: tuple[str, ...] = ()
    oauth: OAuthBackend | None = None
    #: Builds the provider's official SDK client for a credential.
    client: Callable[[IntegrationCredential], Any] | None = None
    #: Celery task syncing a credential's account(s): task(credential_id, full=False, trigger=…).
    sync_task: str = ""
    description: str = ""
    #: One connection serves the whole workspace (Slack, Twilio, Notion, Apollo): only the
    #: workspace's owners and admins connect it. Otherwise it is a person's own account, which
    #: any member connects for themselves.
    workspace_wide: bool = False


from .providers import apollo, google, imap_smtp, microsoft, notion, slack, twilio  # noqa: E402

PROVIDERS: dict[str, Provider] = {
    provider.slug: provider
    for provider in (
        google.GMAIL,
        microsoft.OUTLOOK,
        imap_smtp.SMTP,
        google.CALENDAR,
        slack.SLACK,
        twilio.TWILIO,
        google.SHEETS,
        notion.NOTION,
        apollo.APOLLO,
    )
}


def register(provider: Provider) -> Provider:
    """Add a provider at run time (the tests' example provider does)."""
    PROVIDERS[provider.slug] = provider
    return provider


def get(slug: str) -> Provider:
    try:
        return PROVIDERS[slug]
    except KeyError:
        raise Http404(f"No provider {slug!r}.") from None
