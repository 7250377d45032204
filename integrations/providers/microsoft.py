"""Microsoft: Outlook mail through Microsoft Graph over HTTP (requests).
https://learn.microsoft.com/graph/api/resources/mail-api-overview
"""

from django.conf import settings

from integrations.registry import AuthKind, Provider

from .http import BearerSession

OUTLOOK = Provider(
    slug="outlook",
    name="Outlook",
    category="email",
    auth=AuthKind.OAUTH2,
    endpoints=("MICROSOFT_AUTHORITY", "MICROSOFT_GRAPH_URL"),
    scopes=("User.Read", "Mail.ReadWrite", "Mail.Send"),
    client=lambda credential: BearerSession(settings.MICROSOFT_GRAPH_URL, credential),
    description="Read, send and thread email through a Microsoft 365 or Outlook.com account.",
)
