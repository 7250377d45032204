"""Routes of billing (the API under /api/, the settings page's two buttons under /billing/),
included by clianta/urls.py."""

from django.urls import path

from . import pages
from .api import views
from .webhooks import BillingWebhook

BILLING = "api/workspaces/<str:workspace_pk>/billing"

urlpatterns = [
    path("api/webhooks/stripe", BillingWebhook.as_view(), name="stripe-webhook"),
    path(BILLING, views.BillingView.as_view(), name="billing"),
    path(BILLING + "/checkout", views.CheckoutView.as_view(), name="billing-checkout-api"),
    path(BILLING + "/portal", views.PortalView.as_view(), name="billing-portal-api"),
    path("billing/checkout", pages.checkout, name="billing-checkout"),
    path("billing/portal", pages.portal, name="billing-portal"),
]
