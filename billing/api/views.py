"""``/api/workspaces/{id}/billing``: the workspace's plan, its limits and what is used of them
(any member); Checkout and the Customer Portal (owners and admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceScopedMixin

from .. import services
from . import serializers


class BillingView(WorkspaceScopedMixin, generics.GenericAPIView):
    """The plan in force, the subscription's status and period, the grace period while a
    payment is failing, each limit with what is used of it, the plans, and the latest
    invoices."""

    serializer_class = serializers.BillingSerializer

    def get(self, request, workspace_pk):
        return Response(serializers.BillingSerializer(services.summary(self.workspace)).data)


class CheckoutView(WorkspaceScopedMixin, generics.GenericAPIView):
    """A Stripe Checkout page subscribing the workspace to a paid plan (owners and admins).
    The plan changes when Stripe's webhook says the subscription is active, not when this
    answers. 409 ``already_subscribed``: change plans in the portal."""

    serializer_class = serializers.CheckoutRequestSerializer
    managers_write = "manage the workspace's billing"

    @extend_schema(responses={200: serializers.CheckoutSerializer, 409: ErrorSerializer})
    def post(self, request, workspace_pk):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = services.checkout(self.workspace, form.validated_data["plan"], request.user.email)
        return Response(serializers.CheckoutSerializer(session).data)


class PortalView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Stripe's Customer Portal for the workspace's subscription: change plan, payment
    method, cancel, invoices (owners and admins). 409 ``no_customer`` before a first
    checkout."""

    managers_write = "manage the workspace's billing"

    @extend_schema(request=None, responses={200: serializers.UrlSerializer, 409: ErrorSerializer})
    def post(self, request, workspace_pk):
        return Response(serializers.UrlSerializer(services.portal(self.workspace)).data)
