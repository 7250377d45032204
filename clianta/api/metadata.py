from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """OPTIONS answers the endpoint's name, description and formats. The request and response
    shapes are in the OpenAPI schema (/api/schema/); building them per view here would resolve
    the workspace and the serializers of views that have none."""

    def determine_actions(self, request, view):
        return {}
