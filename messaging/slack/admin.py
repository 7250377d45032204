from django.contrib import admin

from clianta import scrub

from .models import NotificationRule, SlackIntegration, SlackMessage, SlackNotification


@admin.register(SlackIntegration)
class SlackIntegrationAdmin(admin.ModelAdmin):
    list_display = ("team_name", "team_id", "workspace", "default_channel", "created_at")
    search_fields = ("team_name", "team_id")
    exclude = ("incoming_webhook_url",)
    readonly_fields = ("credential", "team_id", "bot_user_id", "app_id", "incoming_webhook")

    @admin.display(description="Incoming webhook URL")
    def incoming_webhook(self, integration):
        return scrub.mask(integration.incoming_webhook_url)


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "event_type", "channel", "enabled")
    list_filter = ("event_type", "enabled")
    search_fields = ("name", "channel")


@admin.register(SlackNotification)
class SlackNotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workspace", "event_type", "channel", "status", "attempts")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in SlackNotification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SlackMessage)
class SlackMessageAdmin(admin.ModelAdmin):
    list_display = ("posted_at", "workspace", "channel_id", "user_name", "contact")
    search_fields = ("text", "user_email", "user_name")
    readonly_fields = [f.name for f in SlackMessage._meta.fields]

    def has_add_permission(self, request):
        return False
