"""One health model for every connected account: its status, last success, last error and
failures in a row, kept on the credential by the sync runner."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from clianta import events

from .models import IntegrationCredential, SyncLog

#: Auth failures in a row (401/403 from the API, not rate limits or 5xx) that disable syncs.
AUTH_FAILURE_LIMIT = 3


class Health:
    SYNCING = "syncing"
    HEALTHY = "healthy"
    NEEDS_RECONNECT = "needs_reconnect"
    FAILING = "failing"
    DISABLED = "disabled"
    CHOICES = (SYNCING, HEALTHY, NEEDS_RECONNECT, FAILING, DISABLED)


def with_health(credentials: QuerySet) -> QuerySet:
    """Annotate ``is_syncing`` so ``health_of`` needs no further query."""
    running = SyncLog.objects.filter(credential=OuterRef("pk"), status=SyncLog.Status.RUNNING)
    return credentials.annotate(is_syncing=Exists(running))


def health_of(credential: IntegrationCredential) -> str:
    if credential.status != IntegrationCredential.Status.ACTIVE:
        return Health.NEEDS_RECONNECT
    if not credential.sync_enabled:
        return Health.DISABLED
    if getattr(credential, "is_syncing", False):
        return Health.SYNCING
    if credential.consecutive_failures:
        return Health.FAILING
    return Health.HEALTHY


def record_success(credential_id) -> None:
    now = timezone.now()
    IntegrationCredential.objects.filter(pk=credential_id).update(
        last_sync_at=now,
        last_success_at=now,
        last_error="",
        consecutive_failures=0,
        consecutive_auth_failures=0,
        updated_at=now,
    )


def record_failure(credential_id, error: str, *, auth: bool) -> None:
    """Count a failed run; ``auth`` failures in a row past the limit disable the syncs."""
    now = timezone.now()
    credentials = IntegrationCredential.objects.filter(pk=credential_id)
    counters = {"consecutive_failures": F("consecutive_failures") + 1}
    if auth:
        counters["consecutive_auth_failures"] = F("consecutive_auth_failures") + 1
    credentials.update(last_sync_at=now, last_error=error[:2000], updated_at=now, **counters)
    if auth:
        credentials.filter(consecutive_auth_failures__gte=AUTH_FAILURE_LIMIT).update(
            sync_enabled=False
        )


def mark_needs_reconnect(credential: IntegrationCredential, message: str) -> None:
    """The provider refuses the credential for good (access revoked, key replaced, password
    changed): its syncs stop and the workspace sees "needs reconnect" with ``message``; the
    change (not a repeat) is a CRM event."""
    reconnect = IntegrationCredential.Status.NEEDS_RECONNECT
    with transaction.atomic():
        changed = (
            IntegrationCredential.objects.filter(pk=credential.pk)
            .exclude(status=reconnect)
            .update(status=reconnect, last_error=message[:2000], updated_at=timezone.now())
        )
        if changed:
            events.emit(
                events.INTEGRATION_NEEDS_RECONNECT,
                str(credential.workspace_id),
                integration_id=str(credential.pk),
                provider=credential.provider,
                account=credential.account,
                error=message[:300],
            )
    credential.status = reconnect
    credential.last_error = message
