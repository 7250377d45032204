from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CliantaConfig(AppConfig):
    name = "clianta"
    verbose_name = "CRM core"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {"clianta.heartbeat": ("Worker heartbeat (every minute)", 1)}
    timeline_sources = ("clianta.timeline.CRM", "clianta.timeline.NOTE")
    plan_usage = {"members": "clianta.invitations.members_used"}

    def ready(self):
        from .schedules import ensure_periodic_tasks
        from .tokens import schema  # noqa: F401  (registers the API token's OpenAPI scheme)

        post_migrate.connect(ensure_periodic_tasks, sender=self)


class AdminConfig(admin_apps.AdminConfig):
    """The admin with django-otp's site (clianta/admin_site.py): a TOTP code at login."""

    default = False
    default_site = "clianta.admin_site.AdminSite"
