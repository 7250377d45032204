"""The Apollo sandbox's accounts, rate windows, directory and phone requests in the admin,
read-only; API keys show masked."""

from django.contrib import admin

from clianta.scrub import mask
from sandbox.admin_base import ReadOnlyAdmin

from .models import (
    ApolloAccount,
    ApolloOrganization,
    ApolloPerson,
    ApolloPhoneRequest,
    ApolloRateWindow,
)


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
