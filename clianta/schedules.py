"""The periodic tasks celery-beat runs, kept in its database (visible and editable in the admin
under *Periodic tasks*). Each app declares its own on its AppConfig::

    periodic_tasks = {"<task name>": ("<name shown in the admin>", <every N minutes>)}

After every migrate, a missing one is created; an existing one is left as staff set it."""

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
