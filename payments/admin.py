from django.contrib import admin

from .models import Customer, Invoice, Payment, PaymentsAccount, Refund, Subscription


@admin.register(PaymentsAccount)
class PaymentsAccountAdmin(admin.ModelAdmin):
    list_display = ["workspace", "credential", "sync_enabled", "last_sync_at", "deal_won_on_paid"]
    list_filter = ["sync_enabled", "deal_won_on_paid"]
    search_fields = ["workspace__name", "credential__account"]
    readonly_fields = ["workspace", "credential", "sync_cursor", "last_sync_at"]


class SyncedAdmin(admin.ModelAdmin):
    """What Stripe said: staff read it, the sync writes it."""

    list_filter = ["status"]
    search_fields = ["stripe_id", "workspace__name", "contact__email"]
    raw_id_fields = ["contact", "company", "customer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(SyncedAdmin):
    list_display = ["stripe_id", "workspace", "amount_display", "status", "contact", "created"]


@admin.register(Invoice)
class InvoiceAdmin(SyncedAdmin):
    list_display = ["stripe_id", "number", "workspace", "status", "amount_due", "currency", "deal"]
    raw_id_fields = [*SyncedAdmin.raw_id_fields, "deal"]


@admin.register(Subscription)
class SubscriptionAdmin(SyncedAdmin):
    list_display = ["stripe_id", "workspace", "status", "amount", "currency", "current_period_end"]


@admin.register(Customer)
class CustomerAdmin(SyncedAdmin):
    list_display = ["stripe_id", "workspace", "email", "contact", "company", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["stripe_id", "workspace__name", "email"]
    raw_id_fields = ["contact", "company"]


@admin.register(Refund)
class RefundAdmin(SyncedAdmin):
    list_display = ["stripe_id", "workspace", "amount", "currency", "status", "payment_ref"]
    search_fields = ["stripe_id", "workspace__name", "payment_ref"]
    raw_id_fields = []
