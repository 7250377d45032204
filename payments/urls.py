"""Routes of payments, included under /api/ by clianta/urls.py (before integrations: its
/api/integrations/<provider>/connect would take the POST of Stripe's)."""

from django.urls import path

from clianta.api.routers import Router

from .api import views
from .webhooks import ConnectWebhook

router = Router()
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("invoices", views.InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("integrations/stripe/connect", views.StripeConnectView.as_view(), name="stripe-connect"),
    path("deals/<uuid:pk>/invoice", views.DealInvoiceView.as_view(), name="deal-invoice"),
    path(
        "workspaces/<str:workspace_pk>/payments/settings",
        views.PaymentsSettingsView.as_view(),
        name="payments-settings",
    ),
    path("webhooks/stripe/connect", ConnectWebhook.as_view(), name="stripe-connect-webhook"),
    *router.urls,
]
