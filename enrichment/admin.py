from django.contrib import admin

from .models import ApolloUsage, EnrichmentJob, Lookup


@admin.register(ApolloUsage)
class ApolloUsageAdmin(admin.ModelAdmin):
    list_display = [
        "workspace",
        "credits_used",
        "credits_limit",
        "reset_date",
        "daily_requests_used",
        "daily_requests_limit",
        "daily_requests_left",
        "daily_requests_seen_at",
    ]
    search_fields = ["workspace__name"]


@admin.register(Lookup)
class LookupAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "workspace", "updated_at"]
    list_filter = ["kind", "workspace"]
    search_fields = ["key"]


@admin.register(EnrichmentJob)
class EnrichmentJobAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "status", "total", "enriched", "not_found", "failed"]
    list_filter = ["status", "workspace"]
    readonly_fields = ["report"]
