"""Routes of payments, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from .api import views
from .webhooks import ConnectWebhook

router = Router()
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("invoices", views.InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("integrations/stripe/key", views.StripeKeyView.as_view(), name="stripe-key"),
    path("deals/<uuid:pk>/invoice", views.DealInvoiceView.as_view(), name="deal-invoice"),
    path(
        "workspaces/<str:workspace_pk>/payments/settings",
        views.PaymentsSettingsView.as_view(),
        name="payments-settings",
    ),
    path("webhooks/stripe/connect", ConnectWebhook.as_view(), name="stripe-connect-webhook"),
    *router.urls,
]
