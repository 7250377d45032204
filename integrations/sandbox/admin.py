"""The sandbox in the admin: the call log and provider state read-only; faults can be added.

Tokens the sandbox handed out are also what our app stores as credentials, so they show masked.
"""

from django.contrib import admin

from integrations.scrub import mask

from .models import (
    ApolloAccount,
    ApolloOrganization,
    ApolloPerson,
    ApolloPhoneRequest,
    ApolloRateWindow,
    GmailHistoryRecord,
    GmailMailbox,
    GmailMessage,
    GoogleAccessToken,
    GoogleAuthCode,
    GoogleCalendar,
    GoogleCalendarEvent,
    GoogleGrant,
    NotionAuthCode,
    NotionBlock,
    NotionBot,
    NotionObject,
    NotionShare,
    NotionWorkspace,
    SandboxCall,
    SandboxFault,
    SheetsQuota,
    SheetsSheet,
    SheetsSpreadsheet,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the fake providers: staff look and may delete, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SandboxCall)
class SandboxCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "provider", "method", "path", "status"]
    list_filter = ["provider", "status", "method"]
    search_fields = ["path", "query"]


@admin.register(SandboxFault)
class SandboxFaultAdmin(admin.ModelAdmin):
    list_display = ["provider", "path_regex", "status", "retry_after", "delay_ms", "truncate"]
    list_display += ["remaining", "created_at"]
    list_filter = ["provider"]


@admin.register(GoogleGrant)
class GoogleGrantAdmin(ReadOnlyAdmin):
    list_display = ["email", "client_id", "scopes", "refresh_token_mask", "created_at"]
    list_display += ["revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["email"]
    exclude = ["refresh_token"]
    readonly_fields = ["refresh_token_mask"]

    @admin.display(description="refresh token")
    def refresh_token_mask(self, grant):
        return mask(grant.refresh_token) or "-"


@admin.register(GoogleAccessToken)
class GoogleAccessTokenAdmin(ReadOnlyAdmin):
    list_display = ["grant", "token_mask", "created_at", "expires_at"]
    list_select_related = ["grant"]
    exclude = ["token"]
    readonly_fields = ["token_mask"]

    @admin.display(description="token")
    def token_mask(self, access):
        return mask(access.token)


@admin.register(GoogleAuthCode)
class GoogleAuthCodeAdmin(ReadOnlyAdmin):
    list_display = ["email", "client_id", "created_at", "used_at", "grant"]
    search_fields = ["email"]
    exclude = ["code"]


@admin.register(GmailMailbox)
class GmailMailboxAdmin(ReadOnlyAdmin):
    list_display = ["email", "history_id", "history_kept_from", "created_at"]
    search_fields = ["email"]
    exclude = ["quota_second", "quota_used"]


@admin.register(GmailMessage)
class GmailMessageAdmin(ReadOnlyAdmin):
    list_display = ["gmail_id", "mailbox", "subject", "sender", "labels", "internal_date"]
    list_display += ["thread_id"]
    list_select_related = ["mailbox"]
    list_filter = ["mailbox"]
    search_fields = ["gmail_id", "thread_id", "subject", "sender", "message_id_header"]


@admin.register(GmailHistoryRecord)
class GmailHistoryRecordAdmin(ReadOnlyAdmin):
    list_display = ["history_id", "mailbox", "gmail_id", "message_added", "message_deleted"]
    list_display += ["labels_added", "labels_removed"]
    list_select_related = ["mailbox"]
    list_filter = ["mailbox"]
    search_fields = ["gmail_id", "thread_id"]


@admin.register(GoogleCalendar)
class GoogleCalendarAdmin(ReadOnlyAdmin):
    list_display = ["email", "time_zone", "change_seq", "sync_kept_from", "created_at"]
    search_fields = ["email"]


@admin.register(GoogleCalendarEvent)
class GoogleCalendarEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "calendar", "summary", "status", "start_at", "end_at"]
    list_display += ["all_day", "recurring_event_id", "updated"]
    list_select_related = ["calendar"]
    list_filter = ["calendar", "status", "all_day"]
    search_fields = ["event_id", "recurring_event_id", "ical_uid", "summary"]


@admin.register(ApolloAccount)
class ApolloAccountAdmin(ReadOnlyAdmin):
    list_display = ["api_key_mask", "per_minute", "per_hour", "per_day", "credits_used"]
    list_display += ["created_at"]
    exclude = ["api_key"]
    readonly_fields = ["api_key_mask"]

    @admin.display(description="API key")
    def api_key_mask(self, account):
        return mask(account.api_key)


@admin.register(ApolloRateWindow)
class ApolloRateWindowAdmin(ReadOnlyAdmin):
    list_display = ["account", "endpoint", "window", "started_at", "used"]
    list_select_related = ["account"]
    list_filter = ["endpoint", "window"]


@admin.register(ApolloOrganization)
class ApolloOrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "domain", "industry", "estimated_num_employees", "generated"]
    list_filter = ["generated", "industry"]
    search_fields = ["name", "domain", "apollo_id"]


@admin.register(ApolloPerson)
class ApolloPersonAdmin(ReadOnlyAdmin):
    list_display = ["first_name", "last_name", "email", "title", "organization", "generated"]
    list_select_related = ["organization"]
    list_filter = ["generated", "seniority"]
    search_fields = ["first_name", "last_name", "email", "apollo_id"]


@admin.register(ApolloPhoneRequest)
class ApolloPhoneRequestAdmin(ReadOnlyAdmin):
    list_display = ["request_id", "account", "status", "webhook_url", "created_at"]
    list_display += ["last_dispatched_at"]
    list_select_related = ["account"]
    list_filter = ["status"]


@admin.register(SheetsSpreadsheet)
class SheetsSpreadsheetAdmin(ReadOnlyAdmin):
    list_display = ["spreadsheet_id", "title", "owner", "locale", "time_zone", "created_at"]
    search_fields = ["spreadsheet_id", "title", "owner"]


@admin.register(SheetsSheet)
class SheetsSheetAdmin(ReadOnlyAdmin):
    list_display = ["title", "spreadsheet", "sheet_id", "index", "row_count", "column_count"]
    list_select_related = ["spreadsheet"]
    search_fields = ["title", "spreadsheet__spreadsheet_id", "spreadsheet__owner"]


@admin.register(SheetsQuota)
class SheetsQuotaAdmin(ReadOnlyAdmin):
    list_display = ["email", "kind", "minute", "used"]
    list_filter = ["kind"]
    search_fields = ["email"]


@admin.register(NotionWorkspace)
class NotionWorkspaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace_id", "created_at"]
    search_fields = ["name", "workspace_id"]


@admin.register(NotionBot)
class NotionBotAdmin(ReadOnlyAdmin):
    list_display = ["bot_id", "workspace", "client_id", "token_mask", "per_second", "burst"]
    list_display += ["created_at"]
    list_select_related = ["workspace"]
    exclude = ["token", "refresh_token"]
    readonly_fields = ["token_mask"]

    @admin.display(description="token")
    def token_mask(self, bot):
        return mask(bot.token)


@admin.register(NotionObject)
class NotionObjectAdmin(ReadOnlyAdmin):
    list_display = ["object_id", "kind", "workspace", "parent_type", "parent_id", "archived"]
    list_display += ["last_edited_time"]
    list_select_related = ["workspace"]
    list_filter = ["kind", "archived"]
    search_fields = ["object_id"]


@admin.register(NotionShare)
class NotionShareAdmin(ReadOnlyAdmin):
    list_display = ["target", "bot"]
    list_select_related = ["target", "bot"]


@admin.register(NotionBlock)
class NotionBlockAdmin(ReadOnlyAdmin):
    list_display = ["block_id", "type", "parent_id", "position", "archived"]
    list_filter = ["type"]
    search_fields = ["block_id", "parent_id"]


@admin.register(NotionAuthCode)
class NotionAuthCodeAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "client_id", "created_at", "used_at"]
    list_select_related = ["workspace"]
    exclude = ["code"]
