"""The twilio sandbox routes, mounted under /sandbox/twilio/ by urls.py."""

urlpatterns = []
