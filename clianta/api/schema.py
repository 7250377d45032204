"""OpenAPI additions every operation shares: the error format and the X-Workspace header."""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from .scoping import WORKSPACE_HEADER, WorkspaceScopedMixin

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="What went wrong, for a person."),
        "code": serializers.CharField(help_text="A stable machine-readable code."),
        "fields": serializers.DictField(
            help_text="Per-field messages, for invalid input.", required=False
        ),
    },
)

ERRORS = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found, or not in your workspace",
    "409": "Conflicts with what exists (a duplicate, a provider not connected yet)",
    "413": "The request body is too large",
    "429": "Too many requests: wait the seconds in Retry-After",
}


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if isinstance(self.view, WorkspaceScopedMixin) and "{workspace_pk}" not in self.path:
            parameters.append(
                OpenApiParameter(
                    WORKSPACE_HEADER,
                    OpenApiTypes.UUID,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "The id of the workspace to act on. Optional when you belong to one "
                        "workspace only; otherwise required (400 `workspace_required` without "
                        "it). A workspace you are not a member of answers 404."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                responses[code] = {
                    **self._get_response_for_code(ErrorSerializer, code),
                    "description": description,
                }
        return responses
