"""Routes of billing, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from .api.views import BillingViewSet
from .webhooks import BillingWebhook

router = Router()
router.register(r"workspaces/(?P<workspace_pk>[^/.]+)/billing", BillingViewSet, "billing")

urlpatterns = [
    path("webhooks/stripe", BillingWebhook.as_view(), name="stripe-webhook"),
    *router.urls,
]
