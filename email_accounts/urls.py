"""Routes of the mailboxes, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from . import gmail_push, outlook_push
from .api import views

router = Router()
router.register("email-accounts", views.EmailAccountViewSet, basename="email-account")
router.register("email-threads", views.EmailThreadViewSet, basename="email-thread")
router.register("email-messages", views.EmailMessageViewSet, basename="email-message")
router.register("email-blocklist", views.BlockedSenderViewSet, basename="blocked-sender")

urlpatterns = [
    path("email-settings", views.EmailSettingsView.as_view(), name="email-settings"),
    # The providers call these (no login: each checks the push is theirs and for us); not part
    # of the API schema.
    path("push/gmail", gmail_push.notification, name="gmail-push"),
    path("push/outlook", outlook_push.notification, name="outlook-push"),
    path("push/outlook/lifecycle", outlook_push.lifecycle, name="outlook-push-lifecycle"),
    *router.urls,
]
