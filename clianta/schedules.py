"""The periodic tasks celery-beat runs, kept in its database (visible and editable in the admin
under *Periodic tasks*). Each app declares its own on its AppConfig::

    periodic_tasks = {"<task name>": ("<name shown in the admin>", <every N minutes>)}

After every migrate, a missing one is created; an existing one is left as staff set it."""

from datetime import timedelta

from django.apps import apps


def declared_periodic_tasks() -> dict[str, tuple[str, int]]:
    """Every installed app's ``periodic_tasks``, in INSTALLED_APPS order."""
    declared = {}
    for config in apps.get_app_configs():
        declared.update(getattr(config, "periodic_tasks", {}))
    return declared


def ensure_periodic_tasks(**kwargs) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for task, (name, minutes) in declared_periodic_tasks().items():
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=minutes, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.create(name=name, task=task, interval=interval)


def interval_of(task: str) -> timedelta | None:
    """How often beat runs ``task``: its interval in the beat database (staff may have changed
    it), else the declared one; None for a task that is neither."""
    from django_celery_beat.models import PeriodicTask

    scheduled = PeriodicTask.objects.filter(task=task, interval__isnull=False).first()
    if scheduled is not None:
        return timedelta(**{scheduled.interval.period: scheduled.interval.every})
    declared = declared_periodic_tasks().get(task)
    return timedelta(minutes=declared[1]) if declared else None
