"""The Salesforce sandbox's orgs, users, grants, sessions, codes, records, query cursors and
bulk jobs in the admin, read-only; tokens show masked."""

from django.contrib import admin

from clianta.scrub import mask
from sandbox.admin_base import ReadOnlyAdmin

from .models import (
    SalesforceAuthCode,
    SalesforceBulkJob,
    SalesforceGrant,
    SalesforceOrg,
    SalesforceQueryCursor,
    SalesforceRecord,
    SalesforceSession,
    SalesforceUser,
)


@admin.register(SalesforceOrg)
class SalesforceOrgAdmin(ReadOnlyAdmin):
    list_display = ["name", "org_id", "api_used", "daily_api_limit", "usage_since"]
    list_display += ["session_seconds", "deleted_retention_days", "created_at"]
    search_fields = ["name", "org_id"]


@admin.register(SalesforceUser)
class SalesforceUserAdmin(ReadOnlyAdmin):
    list_display = ["username", "user_id", "org", "created_at"]
    list_select_related = ["org"]
    search_fields = ["username", "user_id"]


@admin.register(SalesforceGrant)
class SalesforceGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "client_id", "scopes", "refresh_token_mask", "created_at"]
    list_display += ["revoked_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_at"]
    exclude = ["refresh_token"]
    readonly_fields = ["refresh_token_mask"]

    @admin.display(description="refresh token")
    def refresh_token_mask(self, grant):
        return mask(grant.refresh_token) or "-"


@admin.register(SalesforceSession)
class SalesforceSessionAdmin(ReadOnlyAdmin):
    list_display = ["grant", "token_mask", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["grant__user"]
    exclude = ["token"]
    readonly_fields = ["token_mask"]

    @admin.display(description="token")
    def token_mask(self, session):
        return mask(session.token)


@admin.register(SalesforceAuthCode)
class SalesforceAuthCodeAdmin(ReadOnlyAdmin):
    list_display = ["user", "client_id", "scopes", "created_at", "used_at"]
    list_select_related = ["user"]
    exclude = ["code"]


@admin.register(SalesforceRecord)
class SalesforceRecordAdmin(ReadOnlyAdmin):
    list_display = ["record_id", "sobject", "org", "system_modstamp", "deleted_at"]
    list_select_related = ["org"]
    list_filter = ["sobject"]
    search_fields = ["record_id"]


@admin.register(SalesforceQueryCursor)
class SalesforceQueryCursorAdmin(ReadOnlyAdmin):
    list_display = ["locator", "sobject", "org", "used_at"]
    list_select_related = ["org"]
    exclude = ["keys"]


@admin.register(SalesforceBulkJob)
class SalesforceBulkJobAdmin(ReadOnlyAdmin):
    list_display = ["job_id", "operation", "sobject", "state", "org", "created_at"]
    list_select_related = ["org"]
    list_filter = ["state"]
    exclude = ["keys"]
