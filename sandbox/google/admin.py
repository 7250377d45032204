"""The Google sandbox's grants, tokens, mailboxes, calendars and spreadsheets in the admin,
read-only; tokens show masked."""

from django.contrib import admin

from clianta.scrub import mask
from sandbox.admin_base import ReadOnlyAdmin

from .models import (
    GmailHistoryRecord,
    GmailMailbox,
    GmailMessage,
    GoogleAccessToken,
    GoogleAuthCode,
    GoogleCalendar,
    GoogleCalendarEvent,
    GoogleGrant,
    SheetsQuota,
    SheetsSheet,
    SheetsSpreadsheet,
)


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
    exclude = ["quota_level", "quota_checked"]


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
