"""The sandbox's routes: paths under /sandbox/ mirror each provider's, as in
settings.PROVIDER_ENDPOINTS; the control API starts with an underscore."""

from django.urls import include, path, re_path

from . import (
    apollo,
    calendar,
    control,
    gmail,
    gmail_batch,
    google_oauth,
    notion,
    notion_oauth,
    sheets,
)

app_name = "sandbox"

GMAIL_USER = "google/gmail/v1/users/<str:user_id>/"
# Google Calendar API v3 (GOOGLE_CALENDAR_API_URL is <SANDBOX_URL>/google/calendar/v3/).
CALENDAR = "google/calendar/v3/"
CALENDAR_ID = CALENDAR + "calendars/<str:calendar_id>"
# Apollo.io REST API v1 (APOLLO_BASE_URL is <SANDBOX_URL>/apollo/api/v1).
APOLLO = "apollo/api/v1/"
# Notion API (NOTION_API_URL is <SANDBOX_URL>/notion; notion-client appends /v1/).
NOTION = "notion/v1/"
# Google Sheets API v4 (GOOGLE_SHEETS_API_URL is <SANDBOX_URL>/google/). Custom methods such as
# ":batchUpdate" and ranges (which hold ":" and may hold "/") are matched with regexes.
SHEETS = r"^google/v4/spreadsheets"
SHEET_ID = SHEETS + r"/(?P<spreadsheet_id>[^/:]+)"

urlpatterns = [
    path("_faults", control.faults_view, name="faults"),
    path("_calls", control.calls_view, name="calls"),
    path("_ping", control.ping_view, name="ping"),
    path("slack/", include("integrations.sandbox.slack_urls")),
    path("twilio/", include("integrations.sandbox.twilio_urls")),
    path("microsoft/", include("integrations.sandbox.microsoft_urls")),
    path("google/o/oauth2/v2/auth", google_oauth.authorize, name="google-authorize"),
    path("google/token", google_oauth.token, name="google-token"),
    path("google/revoke", google_oauth.revoke, name="google-revoke"),
    # Gmail API v1 (GMAIL_API_URL is <SANDBOX_URL>/google/); batch_uri: GMAIL_API_URL + BATCH_PATH.
    path("google/" + gmail_batch.BATCH_PATH, gmail_batch.batch, name="gmail-batch"),
    path(GMAIL_USER + "profile", gmail.profile_view, name="gmail-profile"),
    path(GMAIL_USER + "history", gmail.history_view, name="gmail-history"),
    path(GMAIL_USER + "messages", gmail.messages_view, name="gmail-messages"),
    path(GMAIL_USER + "messages/send", gmail.send_view, name="gmail-send"),
    path(GMAIL_USER + "messages/<str:message_id>", gmail.message_view, name="gmail-message"),
    path(GMAIL_USER + "messages/<str:message_id>/modify", gmail.modify_view, name="gmail-modify"),
    path(GMAIL_USER + "messages/<str:message_id>/trash", gmail.trash_view, name="gmail-trash"),
    path(
        GMAIL_USER + "messages/<str:message_id>/untrash", gmail.untrash_view, name="gmail-untrash"
    ),
    path(
        GMAIL_USER + "messages/<str:message_id>/attachments/<str:attachment_id>",
        gmail.attachment_view,
        name="gmail-attachment",
    ),
    path(CALENDAR + "freeBusy", calendar.free_busy_view, name="calendar-freebusy"),
    path(
        CALENDAR + "users/me/calendarList",
        calendar.calendar_list_view,
        name="calendar-calendar-list",
    ),
    path(CALENDAR_ID, calendar.calendar_view, name="calendar-calendar"),
    path(CALENDAR_ID + "/events", calendar.events_view, name="calendar-events"),
    path(CALENDAR_ID + "/events/<str:event_id>", calendar.event_view, name="calendar-event"),
    path(
        CALENDAR_ID + "/events/<str:event_id>/instances",
        calendar.instances_view,
        name="calendar-instances",
    ),
    path(APOLLO + "people/match", apollo.people_match, name="apollo-people-match"),
    path(APOLLO + "people/bulk_match", apollo.people_bulk_match, name="apollo-people-bulk-match"),
    path(APOLLO + "organizations/enrich", apollo.organizations_enrich, name="apollo-org-enrich"),
    path(
        APOLLO + "organizations/bulk_enrich",
        apollo.organizations_bulk_enrich,
        name="apollo-org-bulk-enrich",
    ),
    path(APOLLO + "usage_stats/api_usage_stats", apollo.api_usage_stats, name="apollo-usage-stats"),
    path(
        APOLLO + "webhook_result/<str:request_id>",
        apollo.webhook_result,
        name="apollo-webhook-result",
    ),
    path("apollo/_deliver_webhooks", apollo.deliver_webhooks_view, name="apollo-deliver"),
    re_path(SHEETS + r"$", sheets.spreadsheets_view, name="sheets-spreadsheets"),
    re_path(SHEET_ID + r"/values:batchGet$", sheets.values_batch_get_view, name="sheets-batch-get"),
    re_path(
        SHEET_ID + r"/values:batchUpdate$",
        sheets.values_batch_update_view,
        name="sheets-values-batch-update",
    ),
    re_path(
        SHEET_ID + r"/values:batchClear$", sheets.values_batch_clear_view, name="sheets-batch-clear"
    ),
    re_path(SHEET_ID + r"/values/(?P<target>.+)$", sheets.range_view, name="sheets-values"),
    re_path(SHEETS + r"/(?P<target>[^/]+)$", sheets.spreadsheet_view, name="sheets-spreadsheet"),
    path(NOTION + "oauth/authorize", notion_oauth.authorize, name="notion-authorize"),
    path(NOTION + "oauth/token", notion_oauth.token, name="notion-token"),
    path(NOTION + "search", notion.search, name="notion-search"),
    path(NOTION + "pages", notion.pages, name="notion-pages"),
    path(NOTION + "pages/<str:page_id>", notion.page, name="notion-page"),
    path(NOTION + "blocks/<str:block_id>", notion.block, name="notion-block"),
    path(
        NOTION + "blocks/<str:block_id>/children",
        notion.block_children,
        name="notion-block-children",
    ),
    path(NOTION + "databases/<str:database_id>", notion.database, name="notion-database"),
    path(
        NOTION + "databases/<str:database_id>/query",
        notion.database_query,
        name="notion-database-query",
    ),
    path(NOTION + "users/me", notion.me, name="notion-me"),
]
