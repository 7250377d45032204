"""The slack sandbox routes, mounted under /sandbox/slack/ by urls.py."""

urlpatterns = []
