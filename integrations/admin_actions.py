"""Admin actions on anything that syncs: credentials, and the apps' accounts."""

from celery import current_app
from django.contrib import admin, messages

from . import health
from .models import IntegrationCredential


def mark_credentials_for_reconnect(credentials) -> int:
    marked = list(credentials)
    for credential in marked:
        health.mark_needs_reconnect(credential, "Marked for reconnect by staff.")
    return len(marked)


def account_actions(task_name: str) -> list:
    """ "Sync now", "Resync from scratch" and "Mark for reconnect" for an app's accounts (models
    with a ``credential``), queueing ``task_name(account id, full=…, trigger="admin")``."""

    def queue(modeladmin, request, queryset, *, full: bool):
        for pk in queryset.values_list("pk", flat=True):
            current_app.send_task(
                task_name, args=[str(pk)], kwargs={"full": full, "trigger": "admin"}
            )
        modeladmin.message_user(request, f"Queued {queryset.count()} sync(s).", messages.SUCCESS)

    @admin.action(description="Sync now")
    def sync_now(modeladmin, request, queryset):
        queue(modeladmin, request, queryset, full=False)

    @admin.action(description="Resync from scratch (clears the cursor)")
    def resync_from_scratch(modeladmin, request, queryset):
        queue(modeladmin, request, queryset, full=True)

    @admin.action(description="Mark for reconnect")
    def mark_for_reconnect(modeladmin, request, queryset):
        credentials = IntegrationCredential.objects.filter(pk__in=queryset.values("credential_id"))
        count = mark_credentials_for_reconnect(credentials)
        modeladmin.message_user(request, f"{count} credential(s) now need to be reconnected.")

    return [sync_now, resync_from_scratch, mark_for_reconnect]
