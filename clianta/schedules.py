"""Periodic tasks in the beat database, created by data migrations (visible and editable in the
admin under *Periodic tasks*)."""

from django.db import migrations


def periodic_task(name: str, task: str, minutes: int) -> migrations.RunPython:
    """A migration operation that schedules ``task`` every ``minutes`` (and unschedules it)."""

    def schedule(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )

    def unschedule(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=task).delete()

    return migrations.RunPython(schedule, unschedule)
