"""The audit trail in the admin: staff list, filter and search it; nobody adds, changes or
deletes a row, superusers included."""

from django.contrib import admin

from clianta.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "actor_label",
        "target_label",
        "workspace",
        "ip_address",
    ]
    list_filter = ["action", "created_at", "workspace"]
    search_fields = ["actor_label", "target_label", "target_id", "workspace__name", "=ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["workspace"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
