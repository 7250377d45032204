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


def intervals_of(tasks) -> dict[str, timedelta]:
    """How often beat runs each of ``tasks``: its interval in the beat database (staff may have
    changed it), else the declared one; a task that is neither is left out."""
    from django_celery_beat.models import PeriodicTask

    declared = declared_periodic_tasks()
    intervals = {t: timedelta(minutes=declared[t][1]) for t in tasks if t in declared}
    scheduled = PeriodicTask.objects.filter(task__in=tasks, interval__isnull=False)
    for task, every, period in scheduled.values_list("task", "interval__every", "interval__period"):
        intervals[task] = timedelta(**{period: every})
    return intervals
