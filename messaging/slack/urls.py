"""Routes of the slack integration, included under /api/ by clianta/urls.py."""

urlpatterns = []
