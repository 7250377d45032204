from django.contrib import admin

from integrations.admin_actions import account_actions

from .models import BlockedSender, EmailAccount, EmailMessage, EmailSettings, EmailThread


@admin.register(EmailAccount)
class EmailAccountAdmin(admin.ModelAdmin):
    actions = account_actions("email_accounts.sync_account")
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
