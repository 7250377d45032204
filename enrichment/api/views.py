from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clianta.api.scoping import WorkspaceScopedMixin
from clianta.api.serializers import CompanySerializer, ContactSerializer
from clianta.models import Contact

from .. import services, tasks
from ..models import ApolloUsage, EnrichmentJob
from . import serializers


class ApolloViewSet(WorkspaceScopedMixin, viewsets.GenericViewSet):
    """Apollo.io enrichment within the workspace's credits. A call over the limit answers 402
    with the credits used, the limit and the reset date, and asks nothing of Apollo; calls that
    fail or find nothing cost no credit; the same lookup within the cache period is free."""

    queryset = ApolloUsage.objects.all()
    throttle_scopes = dict.fromkeys(["enrich", "find_email", "company", "bulk_enrich"], "apollo")

    @extend_schema(
        request=serializers.EnrichRequestSerializer, responses=serializers.EnrichAnswerSerializer
    )
    @action(detail=False, methods=["post"])
    def enrich(self, request, workspace_pk=None):
        form = self._valid(serializers.EnrichRequestSerializer)
        result = services.enrich_contact(
            self.workspace,
            email=form.get("email", ""),
            contact=form.get("contact"),
            overwrite=form["overwrite"],
        )
        contact = ContactSerializer(result.contact).data if result.contact else None
        return Response(
            {
                "found": bool(result.found),
                "cached": result.cached,
                "person": result.found,
                "contact": contact,
            }
        )

    @extend_schema(
        request=serializers.FindEmailRequestSerializer,
        responses=serializers.FindEmailAnswerSerializer,
    )
    @action(detail=False, methods=["post"], url_path="find-email")
    def find_email(self, request, workspace_pk=None):
        form = self._valid(serializers.FindEmailRequestSerializer)
        result = services.find_email(self.workspace, form["name"], form["domain"])
        return Response({"email": (result.found or {}).get("email"), "cached": result.cached})

    @extend_schema(
        request=serializers.CompanyRequestSerializer, responses=serializers.CompanyAnswerSerializer
    )
    @action(detail=False, methods=["post"])
    def company(self, request, workspace_pk=None):
        form = self._valid(serializers.CompanyRequestSerializer)
        result = services.company_lookup(self.workspace, form["domain"], form["overwrite"])
        company = CompanySerializer(result.company).data if result.company else None
        return Response(
            {
                "found": bool(result.found),
                "cached": result.cached,
                "organization": result.found,
                "company": company,
            }
        )

    @extend_schema(request=None, responses=serializers.UsageSerializer)
    @action(detail=False, methods=["get"])
    def usage(self, request, workspace_pk=None):
        return Response(serializers.UsageSerializer(services.check_credits(self.workspace)).data)

    @extend_schema(
        request=serializers.BulkRequestSerializer,
        responses={202: serializers.EnrichmentJobSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk-enrich")
    def bulk_enrich(self, request, workspace_pk=None):
        """Enrich many contacts in the background (owners and admins: it spends the workspace's
        credits in bulk); follow the job at .../apollo/jobs/{id}."""
        self.require_manager("enrich contacts in bulk")
        form = self._valid(serializers.BulkRequestSerializer)
        if form["missing_data"]:
            chosen = Contact.objects.filter(workspace=self.workspace, title="").exclude(email="")
            ids = [str(pk) for pk in chosen.values_list("pk", flat=True)]
        else:
            ids = [str(contact.pk) for contact in form["contacts"] if contact.email]
        job = EnrichmentJob.objects.create(
            workspace=self.workspace, contact_ids=ids, total=len(ids)
        )
        transaction.on_commit(lambda: tasks.bulk_enrich.delay(str(job.pk)))
        return Response(
            serializers.EnrichmentJobSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )

    def _valid(self, serializer_class) -> dict:
        form = serializer_class(data=self.request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return form.validated_data


class EnrichmentJobViewSet(
    WorkspaceScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bulk enrichment jobs: progress, and the report of every contact."""

    queryset = EnrichmentJob.objects.all()
    serializer_class = serializers.EnrichmentJobSerializer
