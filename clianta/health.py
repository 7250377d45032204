"""What is degraded, each with a reason for a person: ``/api/health`` answers only whether the
list is empty, ``/api/health/detail`` (staff) and ``manage.py doctor`` show it.

Beat and worker liveness are checked here; each app adds its own checks on its AppConfig::

    health_checks = ("<dotted path of a function returning a list of Problem>",)

``configuration_problems`` are the site's settings that are wrong for production; ``manage.py
doctor`` reports them with the apps' own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Heartbeat

STATUSES = ("ok", "degraded")
HEARTBEAT_TASK = "clianta.heartbeat"
#: Beat sends the heartbeat every minute, a worker runs it: silent for longer means stopped.
STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class Problem:
    check: str  # a machine code: beat_silent, worker_silent, sync_late, ...
    reason: str  # what is wrong, for a person
    provider: str = ""
    count: int = 0  # the rows concerned (accounts, deliveries, secrets), where it counts some

    def as_dict(self) -> dict:
        return asdict(self)


def ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    minutes = int((timezone.now() - moment).total_seconds() // 60)
    return f"{minutes} minute(s) ago, at {moment:%Y-%m-%d %H:%M} UTC"


def liveness() -> list[Problem]:
    """Beat silent (it has not sent the heartbeat lately) or no worker seen (none has run it)."""
    from django_celery_beat.models import PeriodicTask

    fresh = timezone.now() - STALE_AFTER
    problems = []
    beat = (
        PeriodicTask.objects.filter(task=HEARTBEAT_TASK)
        .values_list("last_run_at", flat=True)
        .first()
    )
    if beat is None or beat < fresh:
        problems.append(
            Problem("beat_silent", f"celery beat is silent; last heartbeat sent: {ago(beat)}.")
        )
    worker = Heartbeat.objects.order_by("-last_seen").first()
    if worker is None or worker.last_seen < fresh:
        seen = f"{worker.name}, {ago(worker.last_seen)}" if worker else "never"
        problems.append(
            Problem("worker_silent", f"No Celery worker ran the heartbeat lately; last: {seen}.")
        )
    return problems


def report() -> list[Problem]:
    """Every problem now: liveness, then each installed app's ``health_checks``."""
    problems = liveness()
    for config in apps.get_app_configs():
        for path in getattr(config, "health_checks", ()):
            problems.extend(import_string(path)())
    return problems


def configuration_problems() -> list[Problem]:
    """The site's settings that a production deployment (DEBUG off) must not have."""
    if settings.DEBUG:
        return []
    problems = []
    if not settings.PUBLIC_URL.startswith("https://"):
        problems.append(
            Problem(
                "public_url_not_https",
                f"PUBLIC_URL is {settings.PUBLIC_URL}: providers' redirects and webhooks need "
                "https in production.",
            )
        )
    if settings.SANDBOX_PROVIDERS:
        problems.append(
            Problem(
                "sandbox_in_production",
                "SANDBOX_PROVIDERS is on with DEBUG off: the fake providers are public and no "
                "real provider is reached.",
            )
        )
    return problems
