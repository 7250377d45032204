"""A workspace's org connected without the browser: the sandbox's token answer for its default
org stored as the consent would store it, and the connection made."""

from django.conf import settings
from django.db import transaction

from crm_sync import services
from crm_sync.models import CrmConnection
from integrations import registry
from integrations.oauth.base import TokenSet
from integrations.oauth.tokens import store_grant
from sandbox.salesforce import store as sf_store
from sandbox.salesforce import tokens as sf_tokens


def connect_org(workspace, user, org=None, username=sf_store.DEFAULT_USERNAME) -> CrmConnection:
    """``org`` (default: the sandbox's default org), as its user ``username``, connected to
    ``workspace`` by ``user``."""
    answer = sf_tokens.connect(org, username)
    org_id = answer["id"].rstrip("/").split("/")[-2]
    grant = TokenSet(
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
        scopes=answer["scope"].split(),
        account=org_id,
        metadata={
            "instance_url": answer["instance_url"],
            "login_url": settings.SALESFORCE_LOGIN_URL,
            "org_id": org_id,
        },
    )
    with transaction.atomic():
        credential = store_grant(workspace, registry.get("salesforce"), grant, user=user)
        return services.make_connection(credential, user)
