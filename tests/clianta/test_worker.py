import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from clianta.models import Heartbeat
from clianta.tasks import heartbeat
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_in_a_real_worker_and_shows_in_health(celery_worker):
    assert not Heartbeat.objects.exists()

    heartbeat.delay()

    beat = wait_for(lambda: Heartbeat.objects.filter(name__startswith=celery_worker.queue).first())
    health = APIClient().get(reverse("health")).json()
    assert health["database"] == "ok"
    assert health["worker_last_seen"] is not None
    assert beat.last_seen.isoformat().startswith(health["worker_last_seen"][:19])
    assert "clianta.heartbeat" in celery_worker.log()


@pytest.mark.django_db
def test_heartbeat_is_scheduled_every_minute_in_the_beat_database():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="clianta.heartbeat")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
