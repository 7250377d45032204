from django.apps import AppConfig


class TwilioConfig(AppConfig):
    name = "messaging.twilio"
    label = "twilio"
    verbose_name = "Twilio"
    default_auto_field = "django.db.models.BigAutoField"
