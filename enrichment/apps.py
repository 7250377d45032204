from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    name = "enrichment"
    default_auto_field = "django.db.models.BigAutoField"
    plan_usage = {"apollo_credits": "enrichment.credits.used"}
