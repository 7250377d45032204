from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clianta.models import Heartbeat

HEARTBEAT_TASK = "clianta.heartbeat"
STALE_AFTER = timedelta(minutes=3)


class HealthView(APIView):
    """Whether the database answers and when beat and a worker last proved they are alive."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    # Load balancers and monitors poll it; it is not counted against the anonymous rate.
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            name="Health",
            fields={
                "status": serializers.ChoiceField(choices=["ok", "degraded"]),
                "database": serializers.CharField(),
                "beat_last_run": serializers.DateTimeField(allow_null=True),
                "worker_last_seen": serializers.DateTimeField(allow_null=True),
            },
        )
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = (
            PeriodicTask.objects.filter(task=HEARTBEAT_TASK)
            .values_list("last_run_at", flat=True)
            .first()
        )
        worker = (
            Heartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
        )
        fresh = timezone.now() - STALE_AFTER
        alive = all(seen is not None and seen >= fresh for seen in (beat, worker))
        return Response(
            {
                "status": "ok" if alive else "degraded",
                "database": "ok",
                "beat_last_run": beat,
                "worker_last_seen": worker,
            }
        )
