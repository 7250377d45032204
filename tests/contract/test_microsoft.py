"""The sandbox Microsoft's answers against Microsoft's published description.

Graph: microsoftgraph/msgraph-metadata, schemas/v1.0-Prod.csdl (the v1.0 CSDL the OpenAPI
documents are generated from): the entity types entity, outlookItem, message, user and
subscription, the complex types recipient, emailAddress, itemBody, changeNotification and
changeNotificationCollection, the enums bodyType, changeType and lifecycleEventType; the
OpenAPI's date-time pattern and its ODataErrors (MainError: code and message required;
InnerError: request-id, client-request-id, date). learn.microsoft.com/graph/errors for the error
body, /graph/delta-query-overview for the delta pages (a nextLink with $skiptoken or a deltaLink
with $deltatoken, removed items as {"id", "@removed": {"reason": "changed" | "deleted"}}) and
/graph/api/user-get for the properties /me answers by default.

Identity platform: learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow (the
token answer and the error answer with error_codes, timestamp, trace_id, correlation_id) and
the names of msal-common's ServerAuthorizationTokenResponse.

The schemas below restate those facts in our words: property names and types (every property
the CSDL does not mark Nullable="false" may be null), enums and id patterns; objects are closed
to the properties the description names, OData's ``@odata.*`` annotations aside."""

import json
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.conf import settings

from sandbox.microsoft import mail as mailbox
from sandbox.microsoft import subscriptions as graph_subscriptions
from tests.conftest import wait_for
from tests.email_accounts.outlook.conftest import microsoft  # noqa: F401
from tests.email_accounts.outlook.helpers import EMAIL
from tests.email_accounts.outlook.test_sandbox_graph import graph  # noqa: F401
from tests.email_accounts.outlook.test_sandbox_identity import REDIRECT, make_code, post_token

pytestmark = pytest.mark.django_db(transaction=True)

ANNOTATIONS = {r"^@odata\.": {}}
DATE_TIME = {
    "type": "string",
    "pattern": r"^\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,12})?(Z|[+-]\d\d:\d\d)$",
}
GUID = {"type": "string", "pattern": "^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def closed(required=(), **properties) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "patternProperties": ANNOTATIONS,
        "additionalProperties": False,
    }


def entity(required=(), **properties) -> dict:
    """An entity type: ``id`` (Edm.String, not nullable) and the type's own properties."""
    return closed(["id", *required], id={"type": "string", "minLength": 1}, **properties)


STRING = nullable({"type": "string"})
BOOLEAN = nullable({"type": "boolean"})
EMAIL_ADDRESS = closed(address=STRING, name=STRING)
RECIPIENT = closed(emailAddress=nullable(EMAIL_ADDRESS))
RECIPIENTS = {"type": "array", "items": RECIPIENT}
ITEM_BODY = closed(content=STRING, contentType=nullable({"enum": ["text", "html"]}))
MESSAGE = entity(
    # outlookItem
    categories={"type": "array", "items": {"type": "string"}},
    changeKey=STRING,
    createdDateTime=nullable(DATE_TIME),
    lastModifiedDateTime=nullable(DATE_TIME),
    # message
    bccRecipients=RECIPIENTS,
    body=nullable(ITEM_BODY),
    bodyPreview=STRING,
    ccRecipients=RECIPIENTS,
    conversationId=STRING,
    conversationIndex=STRING,
    flag=nullable({"type": "object"}),
    **{"from": nullable(RECIPIENT)},
    hasAttachments=BOOLEAN,
    importance=nullable({"enum": ["low", "normal", "high"]}),
    inferenceClassification=nullable({"enum": ["focused", "other"]}),
    internetMessageHeaders={"type": "array", "items": closed(name=STRING, value=STRING)},
    internetMessageId=STRING,
    isDeliveryReceiptRequested=BOOLEAN,
    isDraft=BOOLEAN,
    isRead=BOOLEAN,
    isReadReceiptRequested=BOOLEAN,
    parentFolderId=STRING,
    receivedDateTime=nullable(DATE_TIME),
    replyTo=RECIPIENTS,
    sender=nullable(RECIPIENT),
    sentDateTime=nullable(DATE_TIME),
    subject=STRING,
    toRecipients=RECIPIENTS,
    uniqueBody=nullable(ITEM_BODY),
    webLink=STRING,
)
REMOVED = {
    "type": "object",
    "required": ["id", "@removed"],
    "properties": {
        "@odata.type": {"const": "#microsoft.graph.message"},
        "id": {"type": "string", "minLength": 1},
        "@removed": closed(["reason"], reason={"enum": ["changed", "deleted"]}),
    },
    "additionalProperties": False,
}
DELTA_PAGE = {
    **closed(
        ["value"],
        value={"type": "array", "items": {"oneOf": [MESSAGE, REMOVED]}},
        **{
            "@odata.context": {"type": "string"},
            "@odata.nextLink": {"type": "string", "pattern": r"[?&]\$skiptoken="},
            "@odata.deltaLink": {"type": "string", "pattern": r"[?&]\$deltatoken="},
        },
    ),
    # Every page but the last carries a nextLink, the last a deltaLink: never both.
    "oneOf": [{"required": ["@odata.nextLink"]}, {"required": ["@odata.deltaLink"]}],
}
MESSAGES = closed(
    ["value"],
    value={"type": "array", "items": MESSAGE},
    **{"@odata.nextLink": {"type": "string"}},
)
# /me without $select: the user's default properties (businessPhones is not nullable).
USER = entity(
    businessPhones={"type": "array", "items": {"type": "string"}},
    displayName=STRING,
    givenName=STRING,
    jobTitle=STRING,
    mail=STRING,
    mobilePhone=STRING,
    officeLocation=STRING,
    preferredLanguage=STRING,
    surname=STRING,
    userPrincipalName=STRING,
)
CHANGE_TYPES = {
    "type": "string",
    "pattern": "^(created|updated|deleted)(,(created|updated|deleted))*$",
}
SUBSCRIPTION = entity(
    ["changeType", "expirationDateTime", "notificationUrl", "resource"],
    applicationId=STRING,
    changeType=CHANGE_TYPES,
    clientState=STRING,
    creatorId=STRING,
    encryptionCertificate=STRING,
    encryptionCertificateId=STRING,
    expirationDateTime=DATE_TIME,
    includeResourceData=BOOLEAN,
    latestSupportedTlsVersion=STRING,
    lifecycleNotificationUrl=STRING,
    notificationQueryOptions=STRING,
    notificationUrl={"type": "string"},
    notificationUrlAppId=STRING,
    resource={"type": "string"},
)
NOTIFICATION_PROPERTIES = {
    "changeType": {"enum": ["created", "updated", "deleted"]},
    "clientState": STRING,
    "encryptedContent": nullable({"type": "object"}),
    "id": STRING,
    "lifecycleEvent": nullable(
        {"enum": ["missed", "subscriptionRemoved", "reauthorizationRequired"]}
    ),
    "resource": {"type": "string"},
    "resourceData": nullable({"type": "object"}),
    "subscriptionExpirationDateTime": DATE_TIME,
    "subscriptionId": GUID,
    "tenantId": GUID,
}


def notifications(required: list[str]) -> dict:
    """A changeNotificationCollection whose items carry ``required``."""
    item = closed(
        ["subscriptionExpirationDateTime", "subscriptionId", "tenantId", *required],
        **NOTIFICATION_PROPERTIES,
    )
    return closed(
        ["value"],
        value={"type": "array", "minItems": 1, "items": item},
        validationTokens={"type": "array", "items": {"type": "string"}},
    )


GRAPH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": closed(
            ["code", "message"],
            code={"type": "string", "minLength": 1},
            message={"type": "string"},
            target=STRING,
            details={"type": "array"},
            innerError=closed(**{"request-id": GUID, "client-request-id": GUID, "date": DATE_TIME}),
        )
    },
    "additionalProperties": False,
}
JWT = {"type": "string", "pattern": r"^[\w-]+\.[\w-]+\.[\w-]*$"}
TOKEN = {
    "type": "object",
    "required": ["token_type", "scope", "expires_in", "access_token", "refresh_token", "id_token"],
    "properties": {
        "token_type": {"enum": ["Bearer"]},
        "scope": {"type": "string"},
        "expires_in": {"type": "integer", "minimum": 1},
        "ext_expires_in": {"type": "integer"},
        "refresh_in": {"type": "integer"},
        "access_token": {"type": "string", "minLength": 1},
        "refresh_token": {"type": "string", "minLength": 1},
        "refresh_token_expires_in": {"type": "integer"},
        "id_token": JWT,
        "client_info": {"type": "string", "pattern": r"^[\w-]+$"},
        "foci": {"type": "string"},
    },
    "additionalProperties": False,
}
TOKEN_ERROR = {
    "type": "object",
    "required": [
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
    ],
    "properties": {
        "error": {
            "enum": [
                "invalid_request",
                "invalid_grant",
                "unauthorized_client",
                "invalid_client",
                "unsupported_grant_type",
                "invalid_resource",
                "interaction_required",
                "temporarily_unavailable",
                "consent_required",
                "invalid_scope",
            ]
        },
        "error_description": {"type": "string", "pattern": r"^AADSTS\d+: "},
        "error_codes": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
        "timestamp": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"},
        "trace_id": GUID,
        "correlation_id": GUID,
        "suberror": {"type": "string"},
        "claims": {"type": "string"},
    },
    "additionalProperties": False,
}


class Receiver(BaseHTTPRequestHandler):
    """A subscriber: echoes Graph's validation token, keeps every notification it is sent."""

    received: list = []

    def do_POST(self):
        token = parse_qs(urlsplit(self.path).query).get("validationToken")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = token[0].encode() if token else b""
        if not token:
            self.received.append(json.loads(body))
        self.send_response(200 if token else 202)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def subscriber():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received = Receiver.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def subscribe(graph, url: str) -> dict:  # noqa: F811
    expiration = datetime.now(UTC) + timedelta(hours=2)
    created = graph(
        "POST",
        "subscriptions",
        json={
            "changeType": "created,updated",
            "notificationUrl": f"{url}/notify",
            "lifecycleNotificationUrl": f"{url}/lifecycle",
            "resource": "me/mailFolders('Inbox')/messages",
            "expirationDateTime": expiration.isoformat().replace("+00:00", "Z"),
            "clientState": "contract-state",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def test_me_meets_the_user_description(graph):  # noqa: F811
    jsonschema.validate(graph("GET", "me").json(), USER)


def test_messages_meet_the_message_description(graph):  # noqa: F811
    html = EmailMessage()
    html["From"], html["To"], html["Subject"] = "Ann <ann@acme.example>", EMAIL, "Offer"
    html.set_content("<p>Our offer</p>", subtype="html")
    mailbox.deliver(EMAIL, raw=html.as_bytes())
    mailbox.deliver(EMAIL, sender="Bob <bob@acme.example>", subject="Plain", body="Hello Bob")
    listed = graph("GET", "me/mailFolders/inbox/messages")
    jsonschema.validate(listed.json(), MESSAGES)
    for item in listed.json()["value"]:
        fetched = graph("GET", f"me/messages/{item['id']}").json()
        jsonschema.validate(fetched, MESSAGE)
        assert fetched["body"]["content"] and fetched["from"]["emailAddress"]["address"]
    kinds = {item["subject"]: item["body"]["contentType"] for item in listed.json()["value"]}
    assert kinds == {"Offer": "html", "Plain": "text"}


def test_every_delta_page_meets_the_delta_description(graph):  # noqa: F811
    kept, gone = [mailbox.deliver(EMAIL, subject=f"S{n}") for n in range(2)]
    mailbox.deliver(EMAIL, subject="S2")
    prefer = {"Prefer": "odata.maxpagesize=2"}
    pages = [graph("GET", "me/mailFolders/inbox/messages/delta", headers=prefer).json()]
    while "@odata.nextLink" in pages[-1]:
        pages.append(graph("GET", pages[-1]["@odata.nextLink"], headers=prefer).json())
    mailbox.mark_read(EMAIL, kept.graph_id)
    mailbox.delete(EMAIL, gone.graph_id)
    pages.append(graph("GET", pages[-1]["@odata.deltaLink"]).json())
    for page in pages:
        jsonschema.validate(page, DELTA_PAGE)
    assert [len(page["value"]) for page in pages] == [2, 1, 2]
    assert any("@removed" in item for item in pages[-1]["value"])


def test_subscriptions_meet_the_subscription_description(graph, subscriber):  # noqa: F811
    url = f"http://127.0.0.1:{subscriber.server_port}"
    created = subscribe(graph, url)
    jsonschema.validate(created, SUBSCRIPTION)
    jsonschema.validate(created["id"], GUID)
    fetched = graph("GET", f"subscriptions/{created['id']}").json()
    later = (datetime.now(UTC) + timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    patched = graph("PATCH", f"subscriptions/{created['id']}", json={"expirationDateTime": later})
    for answer in (fetched, patched.json()):
        jsonschema.validate(answer, SUBSCRIPTION)
    assert graph("DELETE", f"subscriptions/{created['id']}").status_code == 204


def test_change_and_lifecycle_notifications_meet_the_notification_description(
    graph,  # noqa: F811
    subscriber,
):
    created = subscribe(graph, f"http://127.0.0.1:{subscriber.server_port}")
    mailbox.deliver(EMAIL, subject="Watched")
    (change,) = wait_for(lambda: list(subscriber.received))
    jsonschema.validate(change, notifications(["changeType", "resource"]))
    graph_subscriptions.lifecycle(created["id"], "reauthorizationRequired")
    lifecycle = wait_for(lambda: subscriber.received[1:])[0]
    jsonschema.validate(lifecycle, notifications(["lifecycleEvent"]))


def test_graph_errors_meet_the_error_description(graph):  # noqa: F811
    url = f"{settings.MICROSOFT_GRAPH_URL}/me/mailFolders/inbox/messages/delta"
    answers = [
        graph("GET", "me/messages/AAMkAGI2missing"),
        graph("GET", url + "?$deltatoken=bogus"),
        graph("GET", "me/mailFolders/inbox/messages?$filter=isRead eq false"),
        graph("POST", "subscriptions", json={"changeType": "opened"}),
        graph("GET", "me", headers={"Authorization": "Bearer expired"}),
    ]
    assert [answer.status_code for answer in answers] == [404, 410, 400, 400, 401]
    for answer in answers:
        jsonschema.validate(answer.json(), GRAPH_ERROR)


def test_token_answers_meet_the_identity_platforms_description(microsoft):  # noqa: F811
    make_code()
    issued = post_token(
        grant_type="authorization_code",
        code="M.code",
        redirect_uri=REDIRECT,
        code_verifier="v" * 43,
    )
    refreshed = post_token(grant_type="refresh_token", refresh_token=issued.json()["refresh_token"])
    for answer in (issued, refreshed):
        assert answer.status_code == 200, answer.text
        jsonschema.validate(answer.json(), TOKEN)


def test_token_errors_meet_the_identity_platforms_description(microsoft):  # noqa: F811
    answers = [
        post_token(grant_type="authorization_code", code="M.unknown", redirect_uri=REDIRECT),
        post_token(grant_type="refresh_token", refresh_token="M.C5unknown"),
        post_token(grant_type="password"),
        post_token(grant_type="refresh_token", client_secret="wrong"),
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 400, 401]
    for answer in answers:
        jsonschema.validate(answer.json(), TOKEN_ERROR)
