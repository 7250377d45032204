from django.contrib import admin

from . import audit_admin, invitations  # noqa: F401  (audit_admin registers the audit trail)
from .models import (
    Company,
    Contact,
    CrmEvent,
    Deal,
    Heartbeat,
    Invitation,
    Membership,
    Workspace,
)
from .tokens.admin import ApiTokenAdmin  # noqa: F401  (registers API tokens)


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only, but for revoking: invitations are made and accepted by the people concerned,
    and the link's token digest is never shown."""

    list_display = [
        "email",
        "workspace",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
    ]
    list_filter = ["role", "workspace"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace", "invited_by"]
    fields = [
        "workspace",
        "email",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "declined_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(
            invitations.revoke(invitation, request=request)
            for invitation in queryset.select_related("workspace")
        )
        self.message_user(request, f"{revoked} invitation(s) revoked.")


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


@admin.register(CrmEvent)
class CrmEventAdmin(admin.ModelAdmin):
    """What happened in each workspace, as recorded; nobody edits it."""

    list_display = ["occurred_at", "type", "contact", "workspace"]
    list_filter = ["type", "occurred_at", "workspace"]
    search_fields = ["=id", "contact__email", "workspace__name"]
    date_hierarchy = "occurred_at"
    list_select_related = ["workspace", "contact"]
    readonly_fields = [field.name for field in CrmEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]
    readonly_fields = ["name", "last_seen"]
