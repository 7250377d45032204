"""Routes of Google Sheets and Notion, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from .api import views

router = Router()
router.register("integrations/google-sheets/imports", views.SheetImportViewSet, "sheet-import")
router.register("knowledge", views.KnowledgeViewSet, basename="knowledge")

urlpatterns = [
    # The seed's POST route (token or consent URL); its GET hands over to the generic connect.
    path("integrations/notion/connect", views.NotionConnectView.as_view()),
    path(
        "integrations/google-sheets/import", views.SheetImportView.as_view(), name="sheets-import"
    ),
    path("integrations/notion/sync", views.NotionSyncView.as_view()),
    path("integrations/notion/export", views.NotionExportView.as_view()),
    path(
        "integrations/google-sheets/export", views.SheetExportView.as_view(), name="sheets-export"
    ),
    *router.urls,
]
