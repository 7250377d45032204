"""Routes of the mailboxes, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from . import push
from .api import views

router = Router()
router.register("email-accounts", views.EmailAccountViewSet, basename="email-account")
router.register("email-threads", views.EmailThreadViewSet, basename="email-thread")
router.register("email-messages", views.EmailMessageViewSet, basename="email-message")
router.register("email-blocklist", views.BlockedSenderViewSet, basename="blocked-sender")

urlpatterns = [
    path("email-settings", views.EmailSettingsView.as_view(), name="email-settings"),
    # Pub/Sub calls it (no login: its OIDC token is checked); not part of the API schema.
    path("push/gmail", push.notification, name="gmail-push"),
    *router.urls,
]
