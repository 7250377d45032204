from django.apps import AppConfig


class SlackConfig(AppConfig):
    name = "messaging.slack"
    label = "slack"
    verbose_name = "Slack"
    default_auto_field = "django.db.models.BigAutoField"
    timeline_sources = ("messaging.slack.timeline.SLACK",)

    def ready(self):
        from integrations import webhooks

        from . import channel_messages, install, rules

        install.connect_receiver()
        rules.connect_receiver()
        webhooks.register("slack", channel_messages.process)
