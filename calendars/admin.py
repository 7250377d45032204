from django.contrib import admin

from integrations.admin_actions import account_actions

from .models import CalendarEvent, CalendarIntegration, Meeting


@admin.register(CalendarIntegration)
class CalendarIntegrationAdmin(admin.ModelAdmin):
    actions = account_actions("calendars.sync_account")
    list_display = ["email", "calendar_id", "workspace", "user", "time_zone", "last_sync_at"]
    list_filter = ["sync_enabled", "workspace"]
    search_fields = ["email", "workspace__name"]
    readonly_fields = ["credential", "sync_cursor", "last_sync_at", "created_at", "updated_at"]
    autocomplete_fields = ["workspace", "user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "start", "workspace", "ical_uid"]
    list_filter = ["workspace"]
    search_fields = ["title", "ical_uid"]
    date_hierarchy = "start"


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["title", "start", "end", "status", "integration", "organizer"]
    list_filter = ["status", "all_day", "integration", "workspace"]
    search_fields = ["title", "organizer", "provider_event_id"]
    date_hierarchy = "start"
    raw_id_fields = ["meeting", "contacts"]

    def has_change_permission(self, request, obj=None):
        return False
