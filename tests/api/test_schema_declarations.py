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


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_request_bodies_refuse_unknown_fields_and_are_json(schema):
    """The API answers 400 to an unknown field; a form cannot carry null or nested objects."""
    for name in ("ContactRequest", "PatchedDealRequest", "SendSmsRequest", "NewEventRequest"):
        assert component(schema, name)["additionalProperties"] is False, name
    for path, _method, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], path


def test_decimal_strings_need_a_digit_and_no_sign_when_negatives_are_refused(schema):
    import re

    pattern = re.compile(component(schema, "DealRequest")["properties"]["amount"]["pattern"])
    for accepted in ("0", "12.5", ".5", "999999999999.99"):
        assert pattern.search(accepted), accepted
    for refused in ("", "-", "-1", "1.234", "1e5", "9999999999999"):
        assert not pattern.search(refused), refused


def test_datetimes_say_they_need_an_offset(schema):
    import re

    start = component(schema, "NewEventRequest")["properties"]["start"]
    assert "naive" in start["description"]
    pattern = re.compile(start["pattern"])
    assert pattern.search("2026-01-31T09:00:00+01:00") and pattern.search("2026-01-31T09:00:00Z")
    assert not pattern.search("2026-01-31T09:00:00")


def test_email_and_url_patterns_follow_djangos_validators(schema):
    import re

    from django.core.validators import EmailValidator, URLValidator, ValidationError

    email = re.compile(
        component(schema, "ContactRequest")["properties"]["email"]["oneOf"][0]["pattern"]
    )
    url = re.compile(component(schema, "VoiceDropRequest")["properties"]["audio_url"]["pattern"])
    for value, pattern, validate in [
        ("0@0.a", email, EmailValidator()),
        ("a@b.example", email, EmailValidator()),
        ("https://" + ".".join(["a" * 63] * 4) + ".com", url, URLValidator()),
        ("https://cdn.example.com/drop.mp3", url, URLValidator()),
    ]:
        try:
            validate(value)
            valid = True
        except ValidationError:
            valid = False
        assert bool(pattern.search(value)) == valid, value


def test_give_one_or_the_other_is_declared(schema):
    voice = component(schema, "VoiceDropRequest")
    assert [alt["required"] for alt in voice["anyOf"]] == [["contacts"], ["numbers"]]
    sms = component(schema, "SendSmsRequest")
    assert [alt["required"] for alt in sms["anyOf"]] == [["to"], ["contact"]]
    enrich = schema["paths"]["/api/workspaces/{workspace_pk}/apollo/enrich"]["post"]
    assert enrich["requestBody"]["required"] is True


def test_phone_numbers_and_technologies_say_what_they_take(schema):
    contact = component(schema, "ContactRequest")["properties"]
    assert contact["phone"]["oneOf"][0]["format"] == "phone"
    assert "numbering plan" in contact["phone"]["description"]
    technologies = component(schema, "CompanyRequest")["properties"]["technologies"]
    assert technologies["type"] == "array" and not technologies.get("nullable")
