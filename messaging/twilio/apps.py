from django.apps import AppConfig


class TwilioConfig(AppConfig):
    name = "messaging.twilio"
    label = "twilio"
    verbose_name = "Twilio"
    default_auto_field = "django.db.models.BigAutoField"
    timeline_sources = (
        "messaging.twilio.timeline.SMS",
        "messaging.twilio.timeline.VOICE_DROP",
        "messaging.twilio.timeline.CALL_RECORDING",
    )
    plan_usage = {"sms": "messaging.twilio.services.sms_used"}

    def ready(self):
        from integrations import webhooks

        from . import webhooks as twilio_webhooks

        webhooks.register("twilio", twilio_webhooks.process)
