from django.apps import AppConfig


class SlackConfig(AppConfig):
    name = "messaging.slack"
    label = "slack"
    verbose_name = "Slack"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import install, notifications

        install.connect_receiver()
        notifications.connect_receiver()
