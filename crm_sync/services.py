"""The CRM sync's operations: the connection made when an org connects (with the default
mapping), syncs queued on demand, mappings checked against the org, and what the API shows."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from rest_framework.exceptions import ValidationError

from integrations import registry, sync
from integrations.errors import ConfigurationError
from integrations.models import IntegrationCredential, SyncLog
from integrations.oauth import tokens

from . import mapping, store
from .backends.salesforce import SalesforceSync
from .models import CrmConnection, FieldMapping, ObjectCursor, RecordLink

PROVIDER = "salesforce"
#: How long an org's description of an object is reused when checking mappings.
DESCRIBE_SECONDS = 10 * 60


def make_connection(credential, user) -> CrmConnection | None:
    """The workspace's CRM connection for a Salesforce credential just connected; another org
    replacing the workspace's starts over (links and cursors forgotten, the old grant revoked).
    The default mapping is made for a workspace that has none."""
    if credential.provider != PROVIDER:
        return None
    connection, made = CrmConnection.objects.get_or_create(
        workspace_id=credential.workspace_id, defaults={"credential": credential}
    )
    if not made and connection.credential_id != credential.pk:
        replaced = connection.credential
        RecordLink.objects.filter(connection=connection).delete()
        ObjectCursor.objects.filter(connection=connection).delete()
        connection.credential = credential
        connection.paused_until = None
        connection.save(update_fields=["credential", "paused_until"])
        # After the connect commits: the revocation calls Salesforce, and no transaction stays
        # open across a provider call.
        transaction.on_commit(lambda: tokens.disconnect(replaced, actor=user))
    if not connection.mappings.exists():
        FieldMapping.objects.bulk_create(
            FieldMapping(
                workspace_id=credential.workspace_id,
                connection=connection,
                object=obj,
                local_field=local,
                remote_field=remote,
                direction=direction,
                value_map=value_map,
            )
            for obj, local, remote, direction, value_map in mapping.DEFAULTS
        )
    return connection


def sync_job(connection: CrmConnection) -> SalesforceSync:
    return SalesforceSync(connection)


def connection_of(workspace) -> CrmConnection:
    found = CrmConnection.objects.select_related("credential").filter(workspace=workspace).first()
    if found is None:
        raise ConfigurationError(
            "Connect the workspace's Salesforce org first (Settings → Integrations).",
            provider=PROVIDER,
        )
    return found


def request_sync(workspace, full: bool = False) -> SyncLog:
    """Queue a sync of the workspace's org now; its SyncLog (queued) to follow."""
    from . import tasks

    connection = connection_of(workspace)
    log = sync.queue(sync_job(connection), trigger="manual")
    transaction.on_commit(
        lambda: tasks.sync_account.delay(
            str(connection.pk), full=full, trigger="manual", log_id=str(log.pk)
        )
    )
    return log


def describe(connection: CrmConnection, obj: str) -> dict:
    """The org's description of the object ``obj`` syncs with (cached for a few minutes)."""
    remote = mapping.REMOTE_OBJECTS[obj]
    key = f"crm_sync:describe:{connection.credential_id}:{remote}"
    found = cache.get(key)
    if found is None:
        org = registry.get(PROVIDER).client(connection.credential)
        found = org.call(lambda sf: getattr(sf, remote).describe())
        cache.set(key, found, DESCRIBE_SECONDS)
    return found


def check_mappings(workspace, obj: str, mappings: list[dict]) -> None:
    """Refuse (400, naming each field) an object's set of mappings the org cannot take."""
    errors = mapping.check(obj, describe(connection_of(workspace), obj), mappings)
    if errors:
        raise ValidationError(errors)


def mapping_set(workspace, obj: str, *, without=None, replacing=None, adding=None) -> list[dict]:
    """The object's mappings as they would be: one removed, replaced or added."""
    rows = FieldMapping.objects.filter(workspace=workspace, object=obj)
    found = [
        {
            "local_field": row.local_field,
            "remote_field": row.remote_field,
            "direction": row.direction,
            "value_map": row.value_map,
        }
        for row in rows
        if row.pk not in (getattr(without, "pk", None), getattr(replacing, "pk", None))
    ]
    return found + ([adding] if adding else [])


def status(workspace) -> dict:
    """The org, its API usage, where each object's pull is, and what waits to be pushed."""
    connection = connection_of(workspace)
    credential: IntegrationCredential = connection.credential
    last = (
        SyncLog.objects.filter(account_key=connection.account_key)
        .exclude(status=SyncLog.Status.QUEUED)
        .first()
    )
    return {
        "org_id": credential.account,
        "username": credential.metadata.get("username", ""),
        "instance_url": credential.metadata.get("instance_url", ""),
        "status": credential.status,
        "sync_enabled": connection.sync_enabled,
        "api_used": connection.api_used,
        "api_limit": connection.api_limit,
        "api_usage_at": connection.api_usage_at,
        "limit_share": connection.limit_share,
        "paused_until": connection.paused_until,
        "bulk_threshold": connection.bulk_threshold,
        "objects": [
            {
                "object": cursor.object,
                "loaded": cursor.loaded,
                "synced_up_to": cursor.stamp,
                "bulk_job": (cursor.bulk or {}).get("job", ""),
            }
            for cursor in ObjectCursor.objects.filter(connection=connection).order_by("object")
        ],
        **store.pending(connection),
        "last_sync": last,
    }
