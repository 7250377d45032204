"""The periodic tasks celery-beat runs, kept in its database (visible and editable in the admin
under *Periodic tasks*). After every migrate, a missing one is created; an existing one is left
as staff set it."""

#: task name -> (name shown in the admin, every N minutes)
PERIODIC_TASKS = {
    "clianta.heartbeat": ("Worker heartbeat (every minute)", 1),
    "email_accounts.sync_all": ("Email: sync every mailbox (every 5 minutes)", 5),
    "calendars.sync_all": ("Calendars: sync every calendar (every 15 minutes)", 15),
    "productivity.sync_notion_all": ("Notion: pull shared pages (every hour)", 60),
    "integrations.process_due_webhooks": (
        "Webhooks: process deliveries due for a retry or left unrequested (every minute)",
        1,
    ),
    "integrations.watchdog": (
        "Sync watchdog: fail runs stuck past their time limit (every 5 minutes)",
        5,
    ),
}


def ensure_periodic_tasks(**kwargs) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for task, (name, minutes) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=minutes, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.create(name=name, task=task, interval=interval)
