from rest_framework import serializers

from integrations.models import IntegrationCredential


class CredentialSerializer(serializers.ModelSerializer):
    """A connected account as the API shows it: each secret only as a mask (last 4 characters)."""

    access_token = serializers.SerializerMethodField()
    refresh_token = serializers.SerializerMethodField()
    api_key = serializers.SerializerMethodField()

    class Meta:
        model = IntegrationCredential
        fields = [
            "id",
            "provider",
            "account",
            "status",
            "access_token",
            "refresh_token",
            "api_key",
            "expires_at",
            "scopes",
            "last_error",
            "created_at",
            "updated_at",
        ]

    def get_access_token(self, credential) -> str:
        return credential.masked("access_token")

    def get_refresh_token(self, credential) -> str:
        return credential.masked("refresh_token")

    def get_api_key(self, credential) -> str:
        return credential.masked("api_key")
