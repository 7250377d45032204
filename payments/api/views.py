"""Payments and invoices of the workspace's Stripe account, a contact's or a company's
lifetime value, invoicing a deal, and connecting the account with a key."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clianta.api.filters import in_period, period_parameters, uuid_param
from clianta.api.pagination import CursorPagination
from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceScopedMixin
from clianta.models import Company, Contact, Deal
from integrations.errors import ConfigurationError

from .. import services
from ..models import Invoice, Payment, PaymentsAccount
from . import serializers

LINK_FILTERS = [
    OpenApiParameter("contact", OpenApiTypes.UUID, description="Only the contact's."),
    OpenApiParameter("company", OpenApiTypes.UUID, description="Only the company's."),
    OpenApiParameter("deal", OpenApiTypes.UUID, description="Only the deal's invoices'."),
    OpenApiParameter("status", OpenApiTypes.STR, description="Stripe's status."),
    *period_parameters("Created"),
]


class ByCreated(CursorPagination):
    ordering = ("-created", "-id")


class Filtered:
    deal_path = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        for name, path in (
            ("contact", "contact_id"),
            ("company", "company_id"),
            ("deal", self.deal_path),
        ):
            if value := uuid_param(params, name):
                queryset = queryset.filter(**{path: value})
        if value := params.get("status"):
            queryset = queryset.filter(status=value[:40])
        return in_period(queryset, params, "created")


@extend_schema_view(list=extend_schema(parameters=LINK_FILTERS))
class PaymentViewSet(WorkspaceScopedMixin, Filtered, viewsets.ReadOnlyModelViewSet):
    """Payments (payment intents) of the workspace's Stripe account, newest first; amounts in
    the currency's minor unit, with their decimal and display."""

    queryset = Payment.objects.all()
    serializer_class = serializers.PaymentSerializer
    pagination_class = ByCreated
    deal_path = "invoice__deal_id"

    @extend_schema(
        parameters=[
            OpenApiParameter("contact", OpenApiTypes.UUID),
            OpenApiParameter("company", OpenApiTypes.UUID),
        ],
        responses=serializers.LifetimeValueSerializer,
    )
    @action(detail=False, methods=["get"], url_path="lifetime-value")
    def lifetime_value(self, request):
        """What a contact (``?contact=``) or a company (``?company=``) has paid, net of refunds,
        per currency, and their last payment."""
        contact = uuid_param(request.query_params, "contact")
        company = uuid_param(request.query_params, "company")
        if bool(contact) == bool(company):
            raise ValidationError({"contact": ["Give a contact or a company."]})
        found = {
            "contact": contact and get_object_or_404(Contact, workspace=self.workspace, pk=contact),
            "company": company and get_object_or_404(Company, workspace=self.workspace, pk=company),
        }
        value = services.lifetime_value(self.workspace, **found)
        return Response(serializers.LifetimeValueSerializer(value).data)


@extend_schema_view(list=extend_schema(parameters=LINK_FILTERS))
class InvoiceViewSet(WorkspaceScopedMixin, Filtered, viewsets.ReadOnlyModelViewSet):
    """Invoices of the workspace's Stripe account, newest first."""

    queryset = Invoice.objects.all()
    serializer_class = serializers.PaymentInvoiceSerializer
    pagination_class = ByCreated
    deal_path = "deal_id"


class DealInvoiceView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Bill a deal through the workspace's Stripe account: its contact becomes a Stripe customer
    if needed, the invoice gets the lines (or the deal's amount), is finalized and emailed by
    Stripe. The same request again bills nothing more (an idempotency key from the request).
    Its owner, owners and admins."""

    serializer_class = serializers.DealInvoiceSerializer
    queryset = Deal.objects.all()

    @extend_schema(
        responses={
            201: serializers.PaymentInvoiceSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
        }
    )
    def post(self, request, pk):
        deal = get_object_or_404(self.get_queryset(), pk=pk)
        self.require_owner_or_manager(deal.owner_id, "invoice this deal")
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        invoice = services.invoice_deal(
            deal, data.get("items") or [], data["days_until_due"], data["memo"]
        )
        return Response(
            serializers.PaymentInvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED
        )


class StripeKeyView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Connect the workspace's Stripe account with a restricted key (owners and admins): Stripe
    checks it first (400 ``key_refused`` otherwise, nothing stored); it is stored encrypted.
    Connecting through Stripe Connect instead: ``GET /api/integrations/stripe/connect``."""

    serializer_class = serializers.StripeKeySerializer
    managers_write = "connect Stripe"

    @extend_schema(
        responses={
            201: serializers.StripeConnectionSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
        }
    )
    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        credential = services.connect_key(
            self.workspace, request.user, form.validated_data["api_key"], request=request
        )
        answer = {
            "id": credential.pk,
            "account": credential.account,
            "account_name": credential.metadata.get("account_name", ""),
        }
        return Response(
            serializers.StripeConnectionSerializer(answer).data, status=status.HTTP_201_CREATED
        )


class PaymentsSettingsView(WorkspaceScopedMixin, generics.RetrieveUpdateAPIView):
    """The workspace's payments settings: ``deal_won_on_paid`` moves a deal to won when its
    invoice is paid. Owners and admins change them."""

    serializer_class = serializers.PaymentsSettingsSerializer
    managers_write = "change the payments settings"
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        found = PaymentsAccount.objects.filter(workspace=self.workspace).first()
        if found is None:
            raise ConfigurationError(
                "Connect the workspace's Stripe account first (Settings → Integrations).",
                provider="stripe",
            )
        return found
