"""The microsoft sandbox routes, mounted under /sandbox/microsoft/ by urls.py."""

urlpatterns = []
