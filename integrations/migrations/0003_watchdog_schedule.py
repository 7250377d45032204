from django.db import migrations

from clianta.schedules import periodic_task


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_sync_oauth_webhooks"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [
        periodic_task(
            "Sync watchdog: fail runs stuck past their time limit (every 5 minutes)",
            "integrations.watchdog",
            5,
        )
    ]
