"""The sandbox's routes: paths under /sandbox/ mirror each provider's, as in
settings.PROVIDER_ENDPOINTS, each provider's in its own folder; the control API starts with an
underscore."""

from django.urls import include, path

from . import control

app_name = "sandbox"

urlpatterns = [
    path("_faults", control.faults_view, name="faults"),
    path("_calls", control.calls_view, name="calls"),
    path("_ping", control.ping_view, name="ping"),
    path("slack/", include("sandbox.slack.urls")),
    path("twilio/", include("sandbox.twilio.urls")),
    path("microsoft/", include("sandbox.microsoft.urls")),
    path("google/", include("sandbox.google.urls")),
    path("apollo/", include("sandbox.apollo.urls")),
    path("notion/", include("sandbox.notion.urls")),
    path("stripe/", include("sandbox.stripe.urls")),
    path("salesforce/", include("sandbox.salesforce.urls")),
]
