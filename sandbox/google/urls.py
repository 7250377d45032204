"""The google sandbox routes, mounted under /sandbox/google/ by sandbox/urls.py: OAuth
(GOOGLE_AUTH_URI is <SANDBOX_URL>/google/o/oauth2/v2/auth), Gmail, Calendar and Sheets."""

from django.urls import path, re_path

from . import calendar, gmail, gmail_batch, oauth, pubsub, sheets

GMAIL_USER = "gmail/v1/users/<str:user_id>/"
# Google Calendar API v3 (GOOGLE_CALENDAR_API_URL is <SANDBOX_URL>/google/calendar/v3/).
CALENDAR = "calendar/v3/"
CALENDAR_ID = CALENDAR + "calendars/<str:calendar_id>"
# Google Sheets API v4 (GOOGLE_SHEETS_API_URL is <SANDBOX_URL>/google/). Custom methods such as
# ":batchUpdate" and ranges (which hold ":" and may hold "/") are matched with regexes.
SHEETS = r"^v4/spreadsheets"
SHEET_ID = SHEETS + r"/(?P<spreadsheet_id>[^/:]+)"

urlpatterns = [
    path("o/oauth2/v2/auth", oauth.authorize, name="google-authorize"),
    path("token", oauth.token, name="google-token"),
    path("revoke", oauth.revoke, name="google-revoke"),
    # Gmail API v1 (GMAIL_API_URL is <SANDBOX_URL>/google/); batch_uri: GMAIL_API_URL + BATCH_PATH.
    path(gmail_batch.BATCH_PATH, gmail_batch.batch, name="gmail-batch"),
    path(GMAIL_USER + "profile", gmail.profile_view, name="gmail-profile"),
    path(GMAIL_USER + "watch", gmail.watch_view, name="gmail-watch"),
    path(GMAIL_USER + "stop", gmail.stop_view, name="gmail-stop"),
    # Google's OIDC certificates (as https://www.googleapis.com/oauth2/v1/certs).
    path("oauth2/v1/certs", pubsub.certs_view, name="google-certs"),
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
    # Before events/<id>: "watch" is not an event id.
    path(CALENDAR_ID + "/events/watch", calendar.watch_view, name="calendar-watch"),
    path(CALENDAR + "channels/stop", calendar.stop_channel_view, name="calendar-channels-stop"),
    path(CALENDAR_ID + "/events/<str:event_id>", calendar.event_view, name="calendar-event"),
    path(
        CALENDAR_ID + "/events/<str:event_id>/instances",
        calendar.instances_view,
        name="calendar-instances",
    ),
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
]
