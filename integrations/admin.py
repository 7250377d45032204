from celery import current_app
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.utils import timezone

from clianta import scrub
from clianta.audit import CREDENTIAL_VIEWED_BY_STAFF

from . import audit, registry, webhooks
from .admin_actions import mark_credentials_for_reconnect
from .models import IntegrationCredential, SyncLog, WebhookDelivery, WebhookSubscription

SECRETS = IntegrationCredential.SECRET_FIELDS


def _replacement_box(label: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        label=f"Replace {label}",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave blank to keep the stored value.",
    )


def _mask_column(field: str, label: str):
    def column(model_admin, obj):
        return scrub.mask(getattr(obj, field)) or "-"

    column.short_description = label
    column.__name__ = f"{field}_mask"
    return column


class CredentialForm(forms.ModelForm):
    """Secrets are write-only here: the boxes start empty and a blank box keeps the stored value."""

    new_access_token = _replacement_box("access token")
    new_refresh_token = _replacement_box("refresh token")
    new_api_key = _replacement_box("API key")

    class Meta:
        model = IntegrationCredential
        fields = [
            "workspace",
            "provider",
            "account",
            "status",
            "last_error",
            "expires_at",
            "scopes",
            "metadata",
        ]

    def save(self, commit=True):
        for name in SECRETS:
            if self.cleaned_data.get(f"new_{name}"):
                setattr(self.instance, name, self.cleaned_data[f"new_{name}"])
        return super().save(commit)


def _queue_sync(modeladmin, request, credentials, *, full: bool):
    """Queue each credential's provider sync task; providers without one are counted."""
    queued = 0
    for credential in credentials:
        provider = registry.PROVIDERS.get(credential.provider)
        if provider is not None and provider.sync_task:
            current_app.send_task(
                provider.sync_task,
                args=[str(credential.pk)],
                kwargs={"full": full, "trigger": "admin"},
            )
            queued += 1
    skipped = len(credentials) - queued
    modeladmin.message_user(
        request,
        f"Queued {queued} sync(s)" + (f"; {skipped} have nothing to sync." if skipped else "."),
        messages.SUCCESS if queued else messages.WARNING,
    )


@admin.action(description="Sync now")
def sync_now(modeladmin, request, queryset):
    _queue_sync(modeladmin, request, list(queryset), full=False)


@admin.action(description="Resync from scratch (clears the cursor)")
def resync_from_scratch(modeladmin, request, queryset):
    _queue_sync(modeladmin, request, list(queryset), full=True)


@admin.action(description="Mark for reconnect")
def mark_for_reconnect(modeladmin, request, queryset):
    count = mark_credentials_for_reconnect(queryset)
    modeladmin.message_user(request, f"{count} credential(s) now need to be reconnected.")


@admin.register(IntegrationCredential)
class IntegrationCredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    actions = [sync_now, resync_from_scratch, mark_for_reconnect]
    list_display = [
        "provider",
        "account",
        "workspace",
        "connected_by",
        "status",
        "sync_enabled",
        "last_success_at",
        "consecutive_failures",
        "expires_at",
    ]
    list_filter = ["provider", "status", "sync_enabled", "workspace"]
    search_fields = ["account", "provider", "workspace__name"]
    list_select_related = ["workspace", "connected_by"]
    autocomplete_fields = ["workspace"]
    access_token_mask = _mask_column("access_token", "access token")
    refresh_token_mask = _mask_column("refresh_token", "refresh token")
    api_key_mask = _mask_column("api_key", "API key")
    readonly_fields = [f"{name}_mask" for name in SECRETS] + [
        "connected_by",
        "last_sync_at",
        "last_success_at",
        "consecutive_failures",
        "consecutive_auth_failures",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "workspace",
                    "provider",
                    "account",
                    "connected_by",
                    "status",
                    "last_error",
                ]
            },
        ),
        (
            "Secrets (masked)",
            {"fields": [f"{name}_mask" for name in SECRETS] + [f"new_{name}" for name in SECRETS]},
        ),
        ("Grant", {"fields": ["expires_at", "scopes", "metadata", "created_at", "updated_at"]}),
        (
            "Sync health",
            {
                "fields": [
                    "sync_enabled",
                    "last_sync_at",
                    "last_success_at",
                    "consecutive_failures",
                    "consecutive_auth_failures",
                ]
            },
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a credential is recorded in its workspace's audit trail, with the staff
        member who opened it."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            credential = self.get_object(request, unquote(object_id))
            if credential is not None:
                audit.record(CREDENTIAL_VIEWED_BY_STAFF, credential, request=request)
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system: staff read and filter them, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "provider",
        "kind",
        "account",
        "workspace",
        "status",
        "trigger",
        "attempt",
        "created",
        "updated",
        "deleted",
        "skipped",
        "finished_at",
    ]
    list_filter = ["status", "provider", "kind", "trigger", "workspace", "started_at"]
    search_fields = ["account", "account_key", "error", "task_id", "workspace__name"]
    date_hierarchy = "started_at"
    list_select_related = ["workspace"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "provider",
        "event_type",
        "delivery_id",
        "workspace",
        "verified",
        "redeliveries",
        "processed_at",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["provider", "verified", "workspace", "received_at"]
    search_fields = ["delivery_id", "event_type", "error", "workspace__name"]
    date_hierarchy = "received_at"
    list_select_related = ["workspace"]
    actions = ["process_again"]

    @admin.action(description="Process the selected unprocessed deliveries again")
    def process_again(self, request, queryset):
        """For a delivery given up after its attempts (its error says why), once fixed."""
        pending = queryset.filter(processed_at__isnull=True)
        providers = set(pending.values_list("provider", flat=True))
        count = pending.update(next_attempt_at=timezone.now())
        for provider in providers:
            webhooks.request_processing(provider)
        self.message_user(request, f"{count} deliveries queued for processing.", messages.SUCCESS)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(assume_scheme="https")
    new_secret = _replacement_box("signing secret")

    class Meta:
        model = WebhookSubscription
        fields = ["workspace", "provider", "url", "events", "active"]

    def save(self, commit=True):
        if self.cleaned_data.get("new_secret"):
            self.instance.secret = self.cleaned_data["new_secret"]
        return super().save(commit)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["provider", "url", "workspace", "active", "secret_mask", "created_at"]
    list_filter = ["provider", "active", "workspace"]
    search_fields = ["url", "workspace__name"]
    autocomplete_fields = ["workspace"]
    secret_mask = _mask_column("secret", "signing secret")
    readonly_fields = ["secret_mask"]
