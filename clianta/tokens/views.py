"""``/api/tokens``: a user's own API tokens. The secret is answered once, at creation.

A request made with a token reaches no further than that token: a token limited to a workspace
sees and manages only tokens limited to the same workspace and creates only such tokens; a
read-only token changes nothing (refused in ``auth.py``)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from clianta.api.pagination import CursorPagination

from . import serializers, services
from .auth import token_of, token_workspace_id
from .models import ApiToken


class NewestFirst(CursorPagination):
    ordering = ("-created", "-id")


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API tokens: create one (its secret is shown once), rename it, renew it for a new
    lifetime, revoke it (DELETE). Expired tokens stop working and are removed."""

    queryset = ApiToken.objects.select_related("workspace")
    serializer_class = serializers.ApiTokenSerializer
    http_method_names = ["get", "post", "patch", "delete"]
    pagination_class = NewestFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        tokens = self.queryset.filter(user=self.request.user, expiry__gt=timezone.now())
        limited_to = token_workspace_id(self.request)
        if limited_to is not None:
            tokens = tokens.filter(workspace_id=limited_to)
        return tokens

    @extend_schema(
        request=serializers.CreateApiTokenSerializer,
        responses={201: serializers.CreatedApiTokenSerializer},
    )
    def create(self, request):
        form = serializers.CreateApiTokenSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        workspace = data.get("workspace")
        limited_to = token_workspace_id(request)
        if limited_to is not None and (workspace is None or workspace.pk != limited_to):
            raise PermissionDenied(
                "A token limited to a workspace can only create tokens limited to the same one."
            )
        token, secret = services.issue(
            request.user,
            data["name"],
            days=data.get("expires_in_days"),
            workspace=workspace,
            read_only=data["read_only"],
            request=request,
        )
        body = serializers.CreatedApiTokenSerializer(token).data
        body["token"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.RenewApiTokenSerializer, responses=serializers.ApiTokenSerializer
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """A new lifetime from now; the secret stays the same. Only from a logged-in session:
        a token renews no token, so a leaked one still dies at its expiry."""
        if token_of(request) is not None:
            raise PermissionDenied("Renew tokens logged in, not with a token.")
        token = self.get_object()
        form = serializers.RenewApiTokenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token.expiry = timezone.now() + timedelta(
            days=serializers.lifetime_days(form.validated_data)
        )
        token.save(update_fields=["expiry"])
        return Response(self.get_serializer(token).data)

    def perform_destroy(self, instance):
        services.revoke(instance, request=self.request)
