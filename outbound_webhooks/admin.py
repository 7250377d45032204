"""Staff see each endpoint (its secrets never), its deliveries and their attempts, and can
replay deliveries or enable an endpoint again."""

from django.contrib import admin, messages

from . import services
from .models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "workspace", "enabled", "disabled_reason", "failing_since", "created_at")
    list_filter = ("enabled", "disabled_reason")
    search_fields = ("url", "description", "workspace__name")
    list_select_related = ("workspace",)
    fields = (
        "workspace",
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "consecutive_failures",
        "paused_until",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["enable"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Enable again (pending deliveries are sent at once)")
    def enable(self, request, queryset):
        for endpoint in queryset:
            services.enable(endpoint)
        messages.success(request, f"{queryset.count()} endpoint(s) enabled.")


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("at", "status_code", "latency_ms", "error", "response")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("message_id", "endpoint__url")
    list_select_related = ("endpoint",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Replay (send the same message again)")
    def replay(self, request, queryset):
        for delivery in queryset.select_related("endpoint"):
            services.replay(delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")
