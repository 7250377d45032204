"""Routes of billing (the API under /api/, the settings page's two buttons under /billing/),
included by clianta/urls.py."""

from django.urls import include, path

from clianta.api.routers import Router

from . import pages
from .api.views import BillingViewSet
from .webhooks import BillingWebhook

router = Router()
router.register(r"workspaces/(?P<workspace_pk>[^/.]+)/billing", BillingViewSet, "billing")

urlpatterns = [
    path("api/webhooks/stripe", BillingWebhook.as_view(), name="stripe-webhook"),
    path("api/", include(router.urls)),
    path("billing/checkout", pages.checkout, name="billing-checkout"),
    path("billing/portal", pages.portal, name="billing-portal"),
]
