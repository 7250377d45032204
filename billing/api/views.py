"""``/api/workspaces/{id}/billing``: the workspace's plan, its limits and what is used of them
(any member); Checkout and the Customer Portal (owners and admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clianta.api.scoping import WorkspaceScopedMixin

from .. import services
from ..models import BillingAccount
from . import serializers


class BillingViewSet(WorkspaceScopedMixin, viewsets.GenericViewSet):
    queryset = BillingAccount.objects.all()
    managers_write = "manage the workspace's billing"
    serializer_class = serializers.BillingSerializer
    pagination_class = None

    @extend_schema(responses=serializers.BillingSerializer)
    def list(self, request, workspace_pk=None):
        """The plan in force, the subscription's status and period, the grace period while a
        payment is failing, each limit with what is used of it, the plans, and the latest
        invoices."""
        return Response(serializers.BillingSerializer(services.summary(self.workspace)).data)

    @extend_schema(
        request=serializers.CheckoutRequestSerializer,
        responses={200: serializers.CheckoutSerializer},
    )
    @action(detail=False, methods=["post"])
    def checkout(self, request, workspace_pk=None):
        """A Stripe Checkout page subscribing the workspace to a paid plan. The plan changes
        when Stripe's webhook says the subscription is active, not when this answers."""
        form = serializers.CheckoutRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = services.checkout(self.workspace, form.validated_data["plan"], request.user.email)
        return Response(session)

    @extend_schema(request=None, responses={200: serializers.UrlSerializer})
    @action(detail=False, methods=["post"])
    def portal(self, request, workspace_pk=None):
        """Stripe's Customer Portal for the workspace's subscription: change plan, payment
        method, cancel, invoices."""
        return Response(services.portal(self.workspace))
