"""Routes of the mailboxes, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from .api import views

router = Router()
router.register("email-accounts", views.EmailAccountViewSet, basename="email-account")
router.register("email-threads", views.EmailThreadViewSet, basename="email-thread")
router.register("email-messages", views.EmailMessageViewSet, basename="email-message")
router.register("email-blocklist", views.BlockedSenderViewSet, basename="blocked-sender")

urlpatterns = [
    path("email-settings", views.EmailSettingsView.as_view(), name="email-settings"),
    *router.urls,
]
