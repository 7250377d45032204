from celery import current_app
from django.contrib import admin

from .models import BlockedSender, EmailAccount, EmailMessage, EmailSettings, EmailThread


def _queue(modeladmin, request, accounts, *, full: bool):
    for account in accounts:
        current_app.send_task(
            "email_accounts.sync_account",
            args=[str(account.pk)],
            kwargs={"full": full, "trigger": "admin"},
        )
    modeladmin.message_user(request, f"Queued {len(accounts)} sync(s).")


@admin.action(description="Sync now")
def sync_now(modeladmin, request, queryset):
    _queue(modeladmin, request, list(queryset), full=False)


@admin.action(description="Resync from scratch (clears the cursor)")
def resync_from_scratch(modeladmin, request, queryset):
    _queue(modeladmin, request, list(queryset), full=True)


@admin.action(description="Mark for reconnect")
def mark_for_reconnect(modeladmin, request, queryset):
    from integrations.models import IntegrationCredential

    count = IntegrationCredential.objects.filter(email_accounts__in=queryset).update(
        status=IntegrationCredential.Status.NEEDS_RECONNECT,
        last_error="Marked for reconnect by staff.",
    )
    modeladmin.message_user(request, f"{count} credential(s) now need to be reconnected.")


@admin.register(EmailAccount)
class EmailAccountAdmin(admin.ModelAdmin):
    actions = [sync_now, resync_from_scratch, mark_for_reconnect]
    list_display = ["email", "provider", "workspace", "sync_enabled", "last_sync_at", "owner"]
    list_filter = ["provider", "sync_enabled", "workspace"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace", "owner"]
    readonly_fields = ["credential", "sync_cursor", "last_sync_at", "created_at", "updated_at"]
    autocomplete_fields = ["workspace", "owner"]


@admin.register(EmailThread)
class EmailThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "workspace", "last_message_at"]
    list_filter = ["workspace"]
    search_fields = ["subject"]
    date_hierarchy = "last_message_at"


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_address", "direction", "account", "sent_at"]
    list_filter = ["direction", "account", "workspace"]
    search_fields = ["subject", "from_address", "message_id", "provider_message_id"]
    date_hierarchy = "sent_at"
    list_select_related = ["account"]
    raw_id_fields = ["thread", "contacts"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailSettings)
class EmailSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "contact_policy"]


@admin.register(BlockedSender)
class BlockedSenderAdmin(admin.ModelAdmin):
    list_display = ["pattern", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["pattern"]
