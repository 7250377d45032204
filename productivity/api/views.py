from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from calendars import services as calendars
from clianta.api.filters import bounded_search, search_parameter
from clianta.api.scoping import WorkspaceScopedMixin
from integrations import sync
from integrations.models import IntegrationCredential
from integrations.oauth import views as oauth_views
from integrations.oauth.views import consent_url
from integrations.providers.notion.client import token_works
from integrations.signals import credential_connected

from .. import knowledge, notion, sheets, tasks
from ..models import KnowledgePage, SheetImport
from . import serializers


class SheetImportView(WorkspaceScopedMixin, APIView):
    """Import contacts from a Google Sheet in the background (202); follow the import at
    /api/integrations/google-sheets/imports/{id}: progress, then created, updated, skipped and
    every rejected row with its number and reason. Importing the same sheet again changes
    nothing."""

    @extend_schema(
        request=serializers.ImportRequestSerializer,
        responses={202: serializers.SheetImportSerializer},
    )
    def post(self, request):
        form = serializers.ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sheets.client(self.workspace.pk)  # 409 now, not later, when Sheets is not connected
        job = SheetImport.objects.create(
            workspace=self.workspace,
            spreadsheet_id=sheets.spreadsheet_id(data["spreadsheet"]),
            sheet=data["sheet"],
            mapping=data["mapping"],
        )
        transaction.on_commit(lambda: tasks.import_sheet.delay(str(job.pk)))
        return Response(
            serializers.SheetImportSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )


class SheetImportViewSet(
    WorkspaceScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Sheet imports of the workspace."""

    queryset = SheetImport.objects.all()
    serializer_class = serializers.SheetImportSerializer


class SheetExportView(WorkspaceScopedMixin, APIView):
    """Export a report (contacts, deals by stage, email activity per contact) to a new
    spreadsheet or an existing one; answers the sheet's URL."""

    @extend_schema(
        request=serializers.ExportRequestSerializer, responses=serializers.ExportAnswerSerializer
    )
    def post(self, request):
        form = serializers.ExportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return Response(
            sheets.export_report(self.workspace.pk, data["report"], data["spreadsheet"])
        )


class NotionConnectView(WorkspaceScopedMixin, APIView):
    """Connect Notion (the workspace's owners and admins): with an internal integration
    ``token`` it is checked with Notion and stored (encrypted); without one the answer is the
    OAuth consent URL to open."""

    # GET is the browser flow, which sends people to log in itself.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(exclude=True)
    def get(self, request):
        """The browser flow: on to Notion's consent page (see the generic connect view)."""
        return oauth_views.connect(request._request, provider="notion")

    @extend_schema(request=serializers.NotionConnectSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        self.require_manager("connect Notion")
        form = serializers.NotionConnectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = form.validated_data.get("token")
        if not token:
            return Response({"authorization_url": consent_url("notion", self.workspace)})
        if not token_works(token):
            raise ValidationError({"token": ["Notion refused this token."]})
        credential, _ = IntegrationCredential.objects.update_or_create(
            workspace=self.workspace,
            provider="notion",
            account="",
            defaults={"api_key": token, "status": IntegrationCredential.Status.ACTIVE},
            create_defaults={
                "api_key": token,
                "status": IntegrationCredential.Status.ACTIVE,
                "connected_by": request.user,
            },
        )
        credential_connected.send(
            sender="notion", credential=credential, user=request.user, request=request
        )
        return Response({"id": credential.pk}, status=status.HTTP_201_CREATED)


class NotionSyncView(WorkspaceScopedMixin, APIView):
    """Pull the pages shared with the integration now (also runs every hour); follow the run
    at /api/sync-logs/{sync_id}."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        connected = notion.Notion.of(self.workspace.pk)  # 409 now when Notion is not connected
        log = sync.queue(knowledge.KnowledgeSync(connected.credential), trigger="manual")
        workspace_id, log_id = str(self.workspace.pk), str(log.pk)
        transaction.on_commit(
            lambda: tasks.sync_notion.delay(workspace_id, trigger="manual", log_id=log_id)
        )
        return Response({"sync_id": log.pk, "status": log.status}, status=status.HTTP_202_ACCEPTED)


class NotionExportView(WorkspaceScopedMixin, APIView):
    """Create a Notion page of meeting notes from a calendar event, or add a report's rows to a
    Notion database (each column converted to the property of the same name)."""

    @extend_schema(request=serializers.NotionExportSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        form = serializers.NotionExportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["kind"] == "meeting_notes":
            event = calendars.workspace_event(self.workspace, data["event"])
            if event is None:
                raise Http404
            page = notion.export_meeting_notes(self.workspace, event, data["parent_page"])
            return Response(page, status=status.HTTP_201_CREATED)
        rows = sheets.REPORTS[data["report"]](self.workspace.pk)
        written = notion.export_rows(self.workspace, data["database"], rows)
        return Response({"rows": written}, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[search_parameter("q", "Words to look for.")]))
class KnowledgeViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The knowledge store: Notion pages shared with the workspace, one by one or listed; ``?q=``
    searches titles and text (PostgreSQL full-text search; a plain substring match on SQLite)."""

    queryset = KnowledgePage.objects.filter(gone=False)
    serializer_class = serializers.KnowledgePageSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        query = bounded_search(self.request.query_params, "q")
        if not query:
            return queryset
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            vector = SearchVector("title", weight="A") + SearchVector("text", weight="B")
            return queryset.annotate(search=vector).filter(
                search=SearchQuery(query, search_type="websearch")
            )
        words = query.split()
        for word in words:
            queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word))
        return queryset
