from rest_framework import serializers

from clianta import scrub
from clianta.api.strict import ListField, StrictModelSerializer, StrictSerializer

from ..models import NotificationRule, SlackIntegration, SlackMessage, SlackNotification


class SlackIntegrationSerializer(StrictModelSerializer):
    status = serializers.CharField(source="credential.status", read_only=True)
    incoming_webhook_url = serializers.SerializerMethodField(help_text="Masked.")
    linked_channels = ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=200
    )

    class Meta:
        model = SlackIntegration
        fields = [
            "id",
            "team_id",
            "team_name",
            "bot_user_id",
            "app_id",
            "default_channel",
            "incoming_webhook_url",
            "linked_channels",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "team_id", "team_name", "bot_user_id", "app_id", "created_at"]

    def get_incoming_webhook_url(self, integration) -> str:
        return scrub.mask(integration.incoming_webhook_url)


class NotificationRuleSerializer(StrictModelSerializer):
    class Meta:
        model = NotificationRule
        fields = [
            "id",
            "name",
            "event_type",
            "channel",
            "template",
            "enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"help_text": "Unique in the workspace."}}

    def validate_name(self, name):
        rules = NotificationRule.objects.filter(workspace=self.context["workspace"], name=name)
        if self.instance is not None:
            rules = rules.exclude(pk=self.instance.pk)
        if rules.exists():
            raise serializers.ValidationError("The workspace already has a rule of this name.")
        return name


class SlackNotificationSerializer(StrictModelSerializer):
    class Meta:
        model = SlackNotification
        fields = [
            "id",
            "rule",
            "event_type",
            "event_data",
            "channel",
            "text",
            "status",
            "attempts",
            "error",
            "ts",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields


class SlackMessageSerializer(StrictModelSerializer):
    class Meta:
        model = SlackMessage
        fields = [
            "id",
            "channel_id",
            "ts",
            "thread_ts",
            "user_id",
            "user_email",
            "user_name",
            "text",
            "posted_at",
            "contact",
        ]
        read_only_fields = fields


class SlackTestSerializer(StrictSerializer):
    auth = serializers.DictField(help_text="What auth.test answered.")
    message = serializers.DictField(help_text="The test message posted: channel, ts, text.")
