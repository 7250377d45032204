"""What a provider is to the framework: its ``Provider`` declaration and its kind of auth.

Each provider package in ``integrations/providers/`` declares its ``Provider``(s); the registry
loads them from ``settings.INTEGRATION_PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

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
    #: Settings of a shared account that serves a workspace without a credential of its own
    #: (all of them set; ``client(None)`` then uses them). Empty: a credential is required. See
    #: ``integrations.credentials``.
    fallback_settings: tuple[str, ...] = ()
    #: Settings it cannot connect without (its OAuth app's client id and secret, a signing
    #: secret): ``manage.py doctor`` names those left empty.
    required_settings: tuple[str, ...] = ()
    #: The periodic task (declared on an AppConfig's ``periodic_tasks``) that syncs its accounts:
    #: an account whose last success is older than three of its intervals is reported as late.
    sync_schedule: str = ""
    #: Routes of ours to enter in the provider's console besides the OAuth redirect URI, as
    #: (where it goes, URL name); ``manage.py doctor`` prints them under PUBLIC_URL.
    console_urls: tuple[tuple[str, str], ...] = ()
