from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "integrations.process_due_webhooks": (
            "Webhooks: process deliveries due for a retry or left unrequested (every minute)",
            1,
        ),
        "integrations.watchdog": (
            "Sync watchdog: fail runs stuck past their time limit (every 5 minutes)",
            5,
        ),
        "integrations.maintain_push_channels": (
            "Push: open, renew and forget push channels (every 15 minutes)",
            15,
        ),
    }

    health_checks = (
        "integrations.monitoring.late_syncs",
        "integrations.monitoring.needs_reconnect",
        "integrations.monitoring.webhook_backlog",
        "integrations.monitoring.push_channels",
    )

    # Gauges computed at each scrape of /metrics (clianta/metrics.py).
    metrics_collectors = ("integrations.metrics.collect",)

    def ready(self):
        from django.conf import settings

        from . import audit, registry, signals
        from .crypto import keyring

        registry.load(settings.INTEGRATION_PROVIDERS)

        # Missing or malformed keys stop every process (web, worker, beat, commands) at start-up.
        keyring()
        signals.credential_connected.connect(audit.connected, dispatch_uid="integrations.audit")
