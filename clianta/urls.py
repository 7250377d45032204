"""The site's routes: the admin, the API's schema and health, and each app's urls.py."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from clianta import invitation_page, metrics
from clianta.api.health import HealthDetailView, HealthView

handler400 = "clianta.api.errors.bad_request"
handler403 = "clianta.api.errors.permission_denied"
handler404 = "clianta.api.errors.not_found"
handler500 = "clianta.api.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/health/detail", HealthDetailView.as_view(), name="health-detail"),
    path("metrics", metrics.view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Before integrations: its /api/integrations/<provider>/connect would take the POST routes
    # of Notion and Twilio.
    path("api/", include("productivity.urls")),
    path("api/", include("messaging.twilio.urls")),
    path("", include("integrations.urls")),
    path("api/", include("email_accounts.urls")),
    path("api/", include("calendars.urls")),
    path("api/", include("messaging.slack.urls")),
    path("api/", include("enrichment.urls")),
    path("api/", include("outbound_webhooks.urls")),
    path("", include("bookings.urls")),
    path("", include("billing.urls")),
    path("api/", include("payments.urls")),
    path("api/", include("crm_sync.urls")),
    path("api/", include("clianta.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invitations/<str:token>", invitation_page.invitation, name="invitation-page"),
]

if settings.SANDBOX_PROVIDERS:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
