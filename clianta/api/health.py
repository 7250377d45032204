from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clianta import health
from clianta.tokens.auth import token_of


def _status(problems) -> str:
    ok, degraded = health.STATUSES
    return degraded if problems else ok


class HealthView(APIView):
    """Public: whether the database answers and nothing is degraded (``ok``) or something is
    (``degraded``); what it is, only staff see (``/api/health/detail``)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    # Load balancers and monitors poll it; it is not counted against the anonymous rate.
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            name="Health",
            fields={"status": serializers.ChoiceField(choices=health.STATUSES)},
        )
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": _status(health.report())})


class StaffWithSecondFactor(permissions.IsAdminUser):
    """Staff, with an API token or with a browser session that passed the admin's TOTP step
    (a password alone does not show staff pages)."""

    message = "Staff only; in a browser, log in to the admin with your code first."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        # django-otp's middleware gives a session's user is_verified().
        verified = getattr(request.user, "is_verified", None)
        return token_of(request) is not None or bool(verified and verified())


class HealthDetailView(APIView):
    """Staff only: each thing that is degraded, with its reason (the report of ``manage.py
    doctor`` without the configuration)."""

    permission_classes = [StaffWithSecondFactor]

    @extend_schema(
        responses=inline_serializer(
            name="HealthDetail",
            fields={
                "status": serializers.ChoiceField(choices=health.STATUSES),
                "problems": inline_serializer(
                    name="HealthProblem",
                    many=True,
                    fields={
                        "check": serializers.CharField(),
                        "reason": serializers.CharField(),
                        "provider": serializers.CharField(),
                        "count": serializers.IntegerField(),
                    },
                ),
            },
        )
    )
    def get(self, request):
        problems = health.report()
        return Response({"status": _status(problems), "problems": [p.as_dict() for p in problems]})
