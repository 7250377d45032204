from django.contrib import admin, messages

from integrations.errors import IntegrationError

from . import services
from .models import BillingAccount, Invoice


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ["number", "status", "amount_due", "amount_paid", "currency", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = [
        "workspace",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "customer_id",
        "synced_at",
    ]
    list_filter = ["status", "cancel_at_period_end"]
    search_fields = ["workspace__name", "customer_id", "subscription_id"]
    readonly_fields = [
        "workspace",
        "customer_id",
        "subscription_id",
        "price_id",
        "price_lookup_key",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
        "synced_at",
    ]
    inlines = [InvoiceInline]
    actions = ["resync"]

    @admin.display(description="Plan in force")
    def plan(self, obj):
        return obj.workspace.plan

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resync from Stripe")
    def resync(self, request, queryset):
        for held in queryset.exclude(customer_id=None):
            try:
                services.resync(held.customer_id)
            except IntegrationError as exc:
                self.message_user(request, f"{held}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{held}: synced from Stripe.", messages.SUCCESS)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["stripe_id", "number", "account", "status", "amount_due", "currency"]
    list_filter = ["status"]
    search_fields = ["stripe_id", "number", "account__workspace__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
