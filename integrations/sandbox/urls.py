"""The sandbox's routes: paths under /sandbox/ mirror each provider's, as in
settings.PROVIDER_ENDPOINTS; the control API starts with an underscore."""

from django.urls import path

from . import control, google_oauth

app_name = "sandbox"

urlpatterns = [
    path("_faults", control.faults_view, name="faults"),
    path("_calls", control.calls_view, name="calls"),
    path("google/o/oauth2/v2/auth", google_oauth.authorize, name="google-authorize"),
    path("google/token", google_oauth.token, name="google-token"),
    path("google/revoke", google_oauth.revoke, name="google-revoke"),
]
