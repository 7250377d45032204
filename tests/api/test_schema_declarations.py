"""The OpenAPI schema says what the API enforces, so that a client generated from it sends
what is accepted: the X-Workspace header, unknown fields, decimal strings, date-times with an
offset, "give A or B" rules, and the bounds of lists and numbers."""

import pytest
from drf_spectacular.generators import SchemaGenerator

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_workspace_scoped_operations_declare_the_workspace_header_as_a_uuid(schema):
    scoped = {
        (path, method): next(
            (p for p in operation.get("parameters", []) if p["name"] == "X-Workspace"), None
        )
        for path, method, operation in operations(schema)
    }
    for path, method in [("/api/contacts", "get"), ("/api/contacts", "post"), ("/api/sms", "get")]:
        assert scoped[(path, method)] is not None, (path, method)
    declared = {key: header for key, header in scoped.items() if header}
    assert len(declared) > 50
    for (path, method), header in declared.items():
        assert "{workspace_pk}" not in path, (path, method)
        assert header["in"] == "header" and not header.get("required"), (path, method)
        assert header["schema"] == {"type": "string", "format": "uuid"}, (path, method)
        assert "workspace_required" in header["description"]
