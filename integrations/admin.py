from django import forms
from django.contrib import admin

from .models import IntegrationCredential

SECRETS = IntegrationCredential.SECRET_FIELDS


def _replacement_box(label: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        label=f"Replace {label}",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave blank to keep the stored value.",
    )


def _mask_column(field: str, label: str):
    def column(model_admin, credential):
        return credential.masked(field) or "-"

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


@admin.register(IntegrationCredential)
class IntegrationCredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ["provider", "account", "workspace", "status", "expires_at", "updated_at"]
    list_filter = ["provider", "status", "workspace"]
    search_fields = ["account", "provider", "workspace__name"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace"]
    access_token_mask = _mask_column("access_token", "access token")
    refresh_token_mask = _mask_column("refresh_token", "refresh token")
    api_key_mask = _mask_column("api_key", "API key")
    readonly_fields = [f"{name}_mask" for name in SECRETS] + ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["workspace", "provider", "account", "status", "last_error"]}),
        (
            "Secrets (masked)",
            {"fields": [f"{name}_mask" for name in SECRETS] + [f"new_{name}" for name in SECRETS]},
        ),
        ("Grant", {"fields": ["expires_at", "scopes", "metadata", "created_at", "updated_at"]}),
    ]
