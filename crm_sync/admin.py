"""Staff see each workspace's org connection with its mapping, where each object's pull is, the
records Salesforce refused and the conflicts resolved; they can sync it now."""

from django.contrib import admin, messages

from . import services
from .models import CrmConnection, FieldMapping, ObjectCursor, RecordLink, SyncConflict


class ReadOnlyInline(admin.TabularInline):
    """Rows shown as they are: the sync writes them, and mappings are changed through the API
    (which checks them against the org)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class MappingInline(ReadOnlyInline):
    model = FieldMapping
    fields = ["object", "local_field", "remote_field", "direction", "value_map"]


class CursorInline(ReadOnlyInline):
    model = ObjectCursor
    fields = ["object", "loaded", "stamp", "last_id", "bulk", "deletes_until"]


class RefusedInline(ReadOnlyInline):
    model = RecordLink
    verbose_name_plural = "records Salesforce refused"
    fields = ["object", "local_id", "remote_id", "push_error", "push_failed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(push_error="").order_by("-push_failed_at")


@admin.register(CrmConnection)
class CrmConnectionAdmin(admin.ModelAdmin):
    list_display = ["workspace", "org", "api_used", "api_limit", "paused_until", "last_sync_at"]
    list_select_related = ["workspace", "credential"]
    search_fields = ["workspace__name", "credential__account"]
    readonly_fields = [
        "workspace",
        "credential",
        "api_used",
        "api_limit",
        "api_usage_at",
        "paused_until",
        "last_sync_at",
    ]
    fields = [*readonly_fields, "sync_enabled", "limit_share", "bulk_threshold"]
    inlines = [MappingInline, CursorInline, RefusedInline]
    actions = ["sync_now", "resume"]

    def has_add_permission(self, request):
        return False  # made when an org connects

    @admin.display(description="org")
    def org(self, connection):
        return connection.credential.metadata.get("username") or connection.credential.account

    @admin.action(description="Sync the selected orgs now")
    def sync_now(self, request, queryset):
        for connection in queryset:
            services.request_sync(connection.workspace)
        self.message_user(request, f"{queryset.count()} sync(s) queued.", messages.SUCCESS)

    @admin.action(description="Resume the selected orgs' syncs now (lift a limit pause)")
    def resume(self, request, queryset):
        count = queryset.update(paused_until=None)
        self.message_user(request, f"{count} connection(s) resumed.", messages.SUCCESS)


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "object", "field", "winner", "sync_log"]
    list_filter = ["object", "winner"]
    search_fields = ["remote_id", "local_id", "field"]
    readonly_fields = [field.name for field in SyncConflict._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
