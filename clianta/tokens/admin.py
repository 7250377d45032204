"""Staff see API tokens by name, owner, prefix and dates, and can revoke them; the secret is
never stored, so never shown, and tokens are created by their owners through the API."""

from django.contrib import admin

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "workspace",
        "read_only",
        "created",
        "expiry",
        "last_used_at",
    ]
    list_filter = ["read_only", "created", "expiry"]
    search_fields = ["name", "token_key", "user__username", "user__email"]
    list_select_related = ["user", "workspace"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]

    @admin.display(description="prefix", ordering="token_key")
    def prefix(self, token):
        return f"{token.token_key}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.revoke(obj, request=request, by_staff=True)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            services.revoke(token, request=request, by_staff=True)

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(request, f"Revoked {count} token(s).")
