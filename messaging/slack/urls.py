"""Routes of the slack integration, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from . import install, webhooks
from .api import views

router = Router()
router.register("slack/integrations", views.SlackIntegrationViewSet, "slack-integration")
router.register("slack/rules", views.NotificationRuleViewSet, basename="slack-rule")
router.register("slack/notifications", views.SlackNotificationViewSet, "slack-notification")
router.register("slack/messages", views.SlackMessageViewSet, basename="slack-message")

urlpatterns = [
    # The original service's callback route; the same view as /api/integrations/slack/callback.
    path("integrations/slack/oauth", install.oauth_callback, name="slack-oauth-callback"),
    path("integrations/slack/webhook", webhooks.EventsView.as_view(), name="slack-events"),
    path("integrations/slack/commands", webhooks.CommandView.as_view(), name="slack-commands"),
    path(
        "workspaces/<str:workspace_pk>/slack/test", views.SlackTestView.as_view(), name="slack-test"
    ),
    *router.urls,
]
