from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from calendars.api import views as calendar_views
from clianta import invitation_page
from clianta.api import invitations as invitation_api
from clianta.api import views
from clianta.api.audit import AuditEventViewSet
from clianta.api.health import HealthView
from clianta.tokens.views import ApiTokenViewSet
from email_accounts.api import views as email_views
from enrichment.api.views import ApolloViewSet, EnrichmentJobViewSet
from integrations import views as integration_views
from integrations.api.views import IntegrationViewSet, SyncLogViewSet
from integrations.oauth import views as oauth_views
from messaging.slack.api import views as slack_views
from messaging.twilio.api import views as twilio_views
from productivity.api import views as productivity_views

handler400 = "clianta.api.errors.bad_request"
handler403 = "clianta.api.errors.permission_denied"
handler404 = "clianta.api.errors.not_found"
handler500 = "clianta.api.errors.server_error"

# The one API router; paths follow the original service's (no trailing slash).
router = DefaultRouter(trailing_slash="")
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/members", views.MembershipViewSet, basename="member"
)
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/invitations",
    invitation_api.WorkspaceInvitationViewSet,
    basename="workspace-invitation",
)
router.register("invitations", invitation_api.ReceivedInvitationViewSet, basename="invitation")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("deals", views.DealViewSet, basename="deal")
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("sync-logs", SyncLogViewSet, basename="sync-log")
router.register("audit-log", AuditEventViewSet, basename="audit-event")
router.register("email-accounts", email_views.EmailAccountViewSet, basename="email-account")
router.register("email-threads", email_views.EmailThreadViewSet, basename="email-thread")
router.register("email-messages", email_views.EmailMessageViewSet, basename="email-message")
router.register("email-blocklist", email_views.BlockedSenderViewSet, basename="blocked-sender")
router.register("calendar/integrations", calendar_views.CalendarIntegrationViewSet, "calendar")
router.register(
    "integrations/google-sheets/imports", productivity_views.SheetImportViewSet, "sheet-import"
)
router.register("knowledge", productivity_views.KnowledgeViewSet, basename="knowledge")
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/apollo/jobs", EnrichmentJobViewSet, "apollo-job"
)
router.register(r"workspaces/(?P<workspace_pk>[^/.]+)/apollo", ApolloViewSet, basename="apollo")
router.register("calendar/events", calendar_views.CalendarEventViewSet, basename="calendar-event")
router.register("sms", twilio_views.SmsMessageViewSet, basename="sms-message")
router.register("voice-drops", twilio_views.VoiceDropViewSet, basename="voice-drop")
router.register("call-recordings", twilio_views.CallRecordingViewSet, basename="call-recording")
router.register("slack/integrations", slack_views.SlackIntegrationViewSet, "slack-integration")
router.register("slack/rules", slack_views.NotificationRuleViewSet, basename="slack-rule")
router.register("slack/notifications", slack_views.SlackNotificationViewSet, "slack-notification")
router.register("slack/messages", slack_views.SlackMessageViewSet, basename="slack-message")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # The seed's POST route (token or consent URL); GET is the browser flow below.
    path("api/integrations/notion/connect", productivity_views.NotionConnectView.as_view()),
    path("api/integrations/<slug:provider>/connect", oauth_views.connect, name="oauth-connect"),
    path("api/integrations/<slug:provider>/connect/start", oauth_views.start, name="oauth-start"),
    path("api/integrations/<slug:provider>/callback", oauth_views.callback, name="oauth-callback"),
    path("api/email-settings", email_views.EmailSettingsView.as_view(), name="email-settings"),
    path("api/calendar/connect", calendar_views.ConnectView.as_view(), name="calendar-connect"),
    path(
        "api/integrations/google-sheets/import",
        productivity_views.SheetImportView.as_view(),
        name="sheets-import",
    ),
    path("api/integrations/notion/sync", productivity_views.NotionSyncView.as_view()),
    path("api/integrations/notion/export", productivity_views.NotionExportView.as_view()),
    path(
        "api/integrations/google-sheets/export",
        productivity_views.SheetExportView.as_view(),
        name="sheets-export",
    ),
    path(
        "api/calendar/availability", calendar_views.AvailabilityView.as_view(), name="availability"
    ),
    path("api/calendar/slots", calendar_views.SlotsView.as_view(), name="calendar-slots"),
    path("api/", include("messaging.slack.urls")),
    path("api/", include("messaging.twilio.urls")),
    path("api/", include(router.urls)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invitations/<str:token>", invitation_page.invitation, name="invitation-page"),
    path(
        "settings/integrations", integration_views.integrations_page, name="settings-integrations"
    ),
    path(
        "settings/integrations/<uuid:credential_id>/disconnect",
        integration_views.disconnect,
        name="integration-disconnect",
    ),
]

if settings.SANDBOX_PROVIDERS:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
