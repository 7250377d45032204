from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(bind=True, name="clianta.heartbeat")
def heartbeat(self) -> None:
    """Scheduled by beat every minute, run by whichever worker takes it; /api/health reads it."""
    Heartbeat.objects.update_or_create(
        name=self.request.hostname or "worker", defaults={"last_seen": timezone.now()}
    )
