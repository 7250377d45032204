"""Microsoft: Outlook mail.

``oauth``: the sign-in through msal, its token cache as the stored grant; ``client``: Microsoft
Graph over requests, errors mapped into the error tree.
"""

from integrations.base import AuthKind, Provider

from .client import session
from .oauth import SLUG, MicrosoftOAuth

OUTLOOK_PROVIDER = Provider(
    slug=SLUG,
    name="Outlook",
    category="email",
    auth=AuthKind.OAUTH2,
    endpoints=("MICROSOFT_AUTHORITY", "MICROSOFT_GRAPH_URL"),
    scopes=("User.Read", "Mail.ReadWrite", "Mail.Send"),
    oauth=MicrosoftOAuth(),
    client=session,
    sync_task="email_accounts.sync_credential",
    sync_schedule="email_accounts.sync_all",
    required_settings=("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET"),
    description="Read, send and thread email through a Microsoft 365 or Outlook.com account.",
)
