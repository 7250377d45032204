from django.apps import AppConfig


class TwilioConfig(AppConfig):
    name = "messaging.twilio"
    label = "twilio"
    verbose_name = "Twilio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations import webhooks

        from . import webhooks as twilio_webhooks

        webhooks.register("twilio", twilio_webhooks.process)
