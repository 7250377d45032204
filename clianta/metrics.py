"""``/metrics``: the site's Prometheus metrics, in the text format, for a bearer token.

Counters and histograms are prometheus-client objects, moved where things happen (each app keeps
its own in its ``metrics`` module). With ``PROMETHEUS_MULTIPROC_DIR`` set, every process (gunicorn
workers, Celery workers) writes them to files in that folder and a scrape merges them; without
it, a scrape sees the counts of the process answering it.

Gauges that describe the present (lag, accounts by health, backlogs, queue depth) are computed at
scrape time, from the database and the broker, by collectors each app lists on its AppConfig::

    metrics_collectors = ("<dotted path of a function yielding prometheus-client metric families>",)

Labels name providers, queues or states, never a workspace or an account.
"""

from __future__ import annotations

import hmac
import logging
import os

from django.apps import apps
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET
from kombu.exceptions import ChannelError
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from clianta import celery_app

logger = logging.getLogger("clianta.metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def queue_depth():
    """Messages waiting in each Celery queue the workers consume (LLEN on Redis)."""
    depth = GaugeMetricFamily(
        "clianta_celery_queue_depth", "Messages waiting in the Celery queue.", labels=["queue"]
    )
    configured = celery_app.conf.task_queues or ()
    queues = {celery_app.conf.task_default_queue, *(queue.name for queue in configured)}
    try:
        with celery_app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in sorted(queues):
                depth.add_metric([queue], _waiting(channel, queue))
    except Exception:  # the broker down: the scrape still answers, without this gauge
        logger.warning("metrics.queue_depth_failed", exc_info=True)
        return
    yield depth


def _waiting(channel, queue: str) -> int:
    """LLEN of the queue's lists on Redis (what kombu's passive declare counts); a queue no
    producer or worker has declared yet holds nothing."""
    try:
        return channel.queue_declare(queue=queue, passive=True).message_count
    except ChannelError:
        return 0


class _AppCollectors(Collector):
    def collect(self):
        yield from queue_depth()
        for config in apps.get_app_configs():
            for path in getattr(config, "metrics_collectors", ()):
                yield from import_string(path)()


def counted() -> CollectorRegistry:
    """The counters and histograms: every process's in multiprocess mode, else this process's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Default())
    return registry


def registry() -> CollectorRegistry:
    """What a scrape of /metrics reports: what was counted, and the gauges computed now."""
    scraped = counted()
    scraped.register(_AppCollectors())
    return scraped


def serve_worker_counts(port: int) -> None:
    """A Celery worker's own exporter (``WORKER_METRICS_PORT``), for workers that share no
    PROMETHEUS_MULTIPROC_DIR with the web (another host or container): its counters only, on
    plain http without a token, so the port must be reachable from Prometheus alone."""
    start_http_server(port, registry=counted())


class _Default(Collector):
    """The process's default registry (its counters and the process/platform collectors)."""

    def collect(self):
        return REGISTRY.collect()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        if settings.DEBUG:
            return True
        raise Http404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


@require_GET
def view(request: HttpRequest) -> HttpResponse:
    """No token configured: 404 (open under DEBUG). A wrong or missing bearer token: 401."""
    if not _allowed(request):
        response = HttpResponse("A valid bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE)
