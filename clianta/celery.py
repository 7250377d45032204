import gc
import os

from celery import Celery, signals

from clianta import logcontext

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clianta.settings")

app = Celery("clianta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logcontext.connect_celery()


@signals.worker_init.connect
def serve_metrics(**_):
    """With WORKER_METRICS_PORT set, the worker serves its counters there (clianta/metrics.py)."""
    from django.conf import settings

    from clianta import metrics

    if settings.WORKER_METRICS_PORT:
        metrics.serve_worker_counts(settings.WORKER_METRICS_PORT)


@signals.worker_ready.connect
def freeze_start_up_objects(**_):
    """What start-up made (modules, settings, models, task registry) lives as long as the
    worker: moved out of the cyclic garbage collector's sight, so each collection scans only
    what tasks create (https://docs.python.org/3/library/gc.html#gc.freeze). Measured in
    bench/README.md."""
    gc.freeze()
