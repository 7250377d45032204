import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from clianta.models import Heartbeat
from clianta.tasks import heartbeat
from tests.conftest import wait_for
from tests.otp import log_in_staff


def health_checks_failing(user) -> list[str]:
    staff = log_in_staff(APIClient(), user)
    return [p["check"] for p in staff.get(reverse("health-detail")).json()["problems"]]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_in_a_real_worker_and_shows_in_health(celery_worker, make_user):
    assert not Heartbeat.objects.exists()
    operator = make_user(is_staff=True)
    assert "worker_silent" in health_checks_failing(operator)

    heartbeat.delay()

    wait_for(lambda: Heartbeat.objects.filter(name__startswith=celery_worker.queue).first())
    assert "worker_silent" not in health_checks_failing(operator)
    assert "clianta.heartbeat" in celery_worker.log()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task", "minutes"),
    [
        ("clianta.heartbeat", 1),
        ("integrations.watchdog", 5),
        ("integrations.process_due_webhooks", 1),
    ],
)
def test_periodic_tasks_are_in_the_beat_database_after_migrate(task, minutes):
    scheduled = PeriodicTask.objects.get(task=task)
    assert scheduled.enabled
    assert (scheduled.interval.every, scheduled.interval.period) == (minutes, "minutes")


@pytest.mark.django_db
def test_a_schedule_staff_changed_is_kept_and_a_deleted_one_comes_back():
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(enabled=False)
    PeriodicTask.objects.filter(task="integrations.watchdog").delete()
    call_command("migrate", verbosity=0)
    assert not PeriodicTask.objects.get(task="clianta.heartbeat").enabled
    assert PeriodicTask.objects.get(task="integrations.watchdog").enabled
