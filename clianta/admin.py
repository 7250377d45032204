from django.contrib import admin

from . import audit_admin  # noqa: F401  (registers the audit trail)
from .models import Company, Contact, Deal, Heartbeat, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "member_count", "created_at"]
    search_fields = ["name", "id"]
    inlines = [MembershipInline]

    @admin.display(description="members")
    def member_count(self, workspace):
        return workspace.memberships.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]


class WorkspaceOwnedAdmin(admin.ModelAdmin):
    list_filter = ["workspace", "created_at"]
    autocomplete_fields = ["workspace"]
    date_hierarchy = "created_at"
    list_select_related = ["workspace"]


@admin.register(Company)
class CompanyAdmin(WorkspaceOwnedAdmin):
    list_display = ["name", "domain", "industry", "workspace", "created_at"]
    search_fields = ["name", "domain"]


@admin.register(Contact)
class ContactAdmin(WorkspaceOwnedAdmin):
    list_display = ["__str__", "email", "phone", "company", "workspace", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["workspace", "company"]
    list_select_related = ["workspace", "company"]


@admin.register(Deal)
class DealAdmin(WorkspaceOwnedAdmin):
    list_display = ["name", "stage", "amount", "currency", "owner", "workspace", "close_date"]
    list_filter = ["stage", "workspace", "created_at"]
    search_fields = ["name"]
    autocomplete_fields = ["workspace", "contact", "company", "owner"]
    list_select_related = ["workspace", "owner"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]
    readonly_fields = ["name", "last_seen"]
