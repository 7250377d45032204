from django.db import migrations

from clianta.schedules import periodic_task


class Migration(migrations.Migration):
    dependencies = [
        ("clianta", "0001_initial"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [periodic_task("Worker heartbeat (every minute)", "clianta.heartbeat", 1)]
