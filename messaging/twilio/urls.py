"""Routes of the twilio integration, included under /api/ by clianta/urls.py."""

urlpatterns = []
