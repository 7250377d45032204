"""The sandbox Salesforce's answers against Salesforce's published description.

Requests: the Postman collection forcedotcom/postman-salesforce-apis at 83bd942 (2021-01-04,
the last commit holding src/collections/salesforce_apis/; 3bb323c removed it), whose index.json
sends every request but the token ones with a bearer token. From src/collections/salesforce_apis/:
auth/web_server_flow_1.json and web_server_flow_2.json (the consent page, then a form POST of
code, grant_type, client_id, client_secret, redirect_uri and format to /services/oauth2/token),
auth/refresh_token.json, auth/revoke_token.json (a form POST of token), auth/user_info.json;
rest/query.json and rest/queryall.json (GET query/?q=…), rest/sobject_describe.json,
rest/sobject_get_updated.json and rest/sobject_get_deleted.json (GET …/updated/?start=&end=),
rest/limit.json; composite/sobject_collections_create.json, _update.json and _delete.json
(allOrNone and records; ids and allOrNone); query/create_job_query.json,
get_job_info_query.json and get_job_query_result.json (Bulk API 2.0 query jobs, the "Query"
folder under "Bulk v2"). Where the collection adds /<SOBJECT_API_NAME> to the update and
delete URLs, the guide's URIs (composite/sobjects) are followed; its Accept: test/csv for the
results is sent as text/csv.

Answers, from developer.salesforce.com/docs: the REST API Developer Guide (api_rest:
resources_query, the Query More Results resource, errorcodes, resources_getupdated,
resources_getdeleted, dome_limits, resources_composite_sobjects_collections_create/_update/
_delete, dome_sobject_create, intro_understanding_refresh_token_oauth); the SOAP API Developer
Guide for the objects those answers carry (sforce_api_calls_describesobjects_
describesobjectresult: DescribeSObjectResult, Field, PicklistEntry, ScopeInfo;
sforce_api_calls_create_saveresult; GetUpdatedResult; GetDeletedResult); the Bulk API 2.0
guide (api_asynch: query_create_job, query_get_one_job, query_get_job_results: 409 for results
asked with another API version than the job's; its release 222.0 edition, api_bulk_v2, shows
412 JOB_NOT_COMPLETE for results asked before JobComplete, seen in the atlas.ja-jp.222.0
translation). From
help.salesforce.com: remoteaccess_oauth_web_server_flow (the token answer: issued_at and
signature), remoteaccess_revoke_token (200; 400 invalid_token or unsupported_token_type) and
remoteaccess_using_userinfo_endpoint.

The schemas below restate those facts in our words: property names and types, datetimes as the
examples write them (2018-12-10T17:50:19.000+0000), ids of 18 characters with their object's
prefix. DescribeSObjectResult and Field are closed to the properties the SOAP guide lists (plus
REST's urls); the query result, SaveResult, errors, the getUpdated and getDeleted results, the
job info and the token answer are closed to theirs. A record's fields, the org's limits and
the UserInfo claims are left open: the guides show examples, not complete lists."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import jsonschema
import pytest
import requests
from django.conf import settings

from sandbox.salesforce import seed, store, tokens
from sandbox.salesforce.models import SalesforceRecord
from tests.sandbox.consent import redirect_params, submit_consent

pytestmark = pytest.mark.django_db(transaction=True)

VERSION = settings.SALESFORCE_API_VERSION
REDIRECT = "https://app.example.com/integrations/salesforce/callback"


def closed(required=None, **properties) -> dict:
    """An object with exactly these properties, all required unless ``required`` says."""
    return {
        "type": "object",
        "required": list(properties) if required is None else list(required),
        "properties": properties,
        "additionalProperties": False,
    }


def maybe(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TEXT, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NUMBER = {"type": "number"}
TEXTS = {"type": "array", "items": TEXT}
DATETIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$",
}


def record_id(prefix: str = "[0-9A-Za-z]{3}") -> dict:
    return {"type": "string", "pattern": f"^{prefix}[0-9A-Za-z]{{15}}$"}


ANY_ID = record_id()
USER_ID, JOB_ID = record_id("005"), record_id("750")

# --- The REST API ------------------------------------------------------------------------------

ERROR = {
    "type": "array",
    "minItems": 1,
    "items": closed(["message", "errorCode"], message=TEXT, errorCode=TEXT, fields=TEXTS),
}
ATTRIBUTES = closed(
    type=TEXT,
    url={"type": "string", "pattern": r"^/services/data/v\d+\.\d/sobjects/\w+/\w{18}$"},
)
RECORD = {"type": "object", "required": ["attributes"], "properties": {"attributes": ATTRIBUTES}}
QUERY_RESULT = closed(
    ["totalSize", "done", "records"],
    totalSize=INT,
    done=BOOL,
    nextRecordsUrl={"type": "string", "pattern": r"^/services/data/v\d+\.\d/query(All)?/\S+$"},
    records={"type": "array", "items": RECORD},
)

SAVE_ERROR = closed(statusCode=TEXT, message=TEXT, fields=TEXTS)
SAVE_RESULT = {
    "oneOf": [
        closed(id=ANY_ID, success={"const": True}, errors={"type": "array", "maxItems": 0}),
        closed(
            ["success", "errors"],
            id=ANY_ID,
            success={"const": False},
            errors={"type": "array", "minItems": 1, "items": SAVE_ERROR},
        ),
    ]
}
SAVE_RESULTS = {"type": "array", "items": SAVE_RESULT}

UPDATED = closed(ids={"type": "array", "items": ANY_ID}, latestDateCovered=DATETIME)
DELETED = closed(
    deletedRecords={"type": "array", "items": closed(id=ANY_ID, deletedDate=DATETIME)},
    earliestDateAvailable=DATETIME,
    latestDateCovered=DATETIME,
)

LIMIT = {
    "type": "object",
    "required": ["Max", "Remaining"],
    "properties": {"Max": INT, "Remaining": INT},
}
LIMITS = {
    "type": "object",
    "required": ["DailyApiRequests"],
    "additionalProperties": LIMIT,
}

# DescribeSObjectResult and Field as the SOAP API Developer Guide lists them; REST adds urls.
FIELD_TYPES = [
    "address", "anyType", "base64", "boolean", "combobox", "complexvalue", "currency", "date",
    "datetime", "double", "email", "encryptedstring", "id", "int", "location", "long",
    "multipicklist", "percent", "phone", "picklist", "reference", "string", "textarea", "time",
    "url",
]  # fmt: skip
PICKLIST_ENTRY = closed(
    ["active", "defaultValue", "label", "value"],
    active=BOOL,
    defaultValue=BOOL,
    label=maybe(TEXT),
    validFor=maybe(TEXT),
    value=TEXT,
)
FIELD_FLAGS = [
    "aggregatable", "aiPredictionField", "autoNumber", "calculated", "cascadeDelete",
    "caseSensitive", "createable", "custom", "dataTranslationEnabled", "defaultedOnCreate",
    "dependentPicklist", "deprecatedAndHidden", "displayLocationInDecimal", "encrypted",
    "externalId", "filterable", "formulaTreatNullNumberAsZero", "groupable", "highScaleNumber",
    "htmlFormatted", "idLookup", "nameField", "namePointing", "nillable", "permissionable",
    "polymorphicForeignKey", "queryByDistance", "restrictedDelete", "restrictedPicklist",
    "searchPrefilterable", "sortable", "unique", "updateable", "writeRequiresMasterRead",
]  # fmt: skip
FIELD_TEXTS = [
    "calculatedFormula", "compoundFieldName", "controllerName", "defaultValueFormula",
    "extraTypeInfo", "inlineHelpText", "mask", "maskType", "referenceTargetField",
    "relationshipName",
]  # fmt: skip
FIELD = closed(
    [
        "name",
        "label",
        "type",
        "soapType",
        "length",
        "byteLength",
        "digits",
        "precision",
        "scale",
        "nillable",
        "createable",
        "updateable",
        "filterable",
        "referenceTo",
        "picklistValues",
        "relationshipName",
        "custom",
        "nameField",
        "idLookup",
        "defaultedOnCreate",
    ],
    **{flag: BOOL for flag in FIELD_FLAGS},
    **{name: maybe(TEXT) for name in FIELD_TEXTS},
    byteLength=INT,
    defaultValue={},
    digits=INT,
    filteredLookupInfo=maybe({"type": "object"}),
    label=TEXT,
    length=INT,
    name=TEXT,
    picklistValues={"type": "array", "items": PICKLIST_ENTRY},
    precision=INT,
    referenceTo=TEXTS,
    relationshipOrder=maybe(INT),
    scale=INT,
    soapType={"type": "string", "pattern": "^(tns|xsd|urn):"},
    type={"enum": FIELD_TYPES},
)
OBJECT_FLAGS = [
    "activateable", "compactLayoutable", "createable", "custom", "customSetting",
    "dataTranslationEnabled", "deepCloneable", "deletable", "deprecatedAndHidden",
    "feedEnabled", "hasSubtypes", "idEnabled", "isInterface", "isSubtype", "layoutable",
    "listviewable", "lookupLayoutable", "mergeable", "mruEnabled", "queryable", "replicateable",
    "retrieveable", "searchLayoutable", "searchable", "triggerable", "undeletable", "updateable",
]  # fmt: skip
OBJECT_TEXTS = [
    "associateEntityType", "associateParentEntity", "defaultImplementation", "extendedBy",
    "extendsInterfaces", "implementedBy", "implementsInterfaces", "networkScopeFieldName",
    "sobjectDescribeOption", "urlDetail", "urlEdit", "urlNew",
]  # fmt: skip
DESCRIBE = closed(
    ["name", "label", "labelPlural", "keyPrefix", "fields", "urls", "createable", "queryable"],
    **{flag: BOOL for flag in OBJECT_FLAGS},
    **{name: maybe(TEXT) for name in OBJECT_TEXTS},
    actionOverrides={"type": "array", "items": {"type": "object"}},
    childRelationships={"type": "array", "items": {"type": "object"}},
    fields={"type": "array", "minItems": 1, "items": FIELD},
    keyPrefix=maybe({"type": "string", "pattern": "^[0-9A-Za-z]{3}$"}),
    label=TEXT,
    labelPlural=TEXT,
    name=TEXT,
    namedLayoutInfos={"type": "array", "items": {"type": "object"}},
    recordTypeInfos={"type": "array", "items": {"type": "object"}},
    supportedScopes={"type": "array", "items": closed(label=TEXT, name=TEXT)},
    urls={"type": "object", "additionalProperties": TEXT},
)

# Bulk API 2.0 query jobs: the answer to creation, then to polling.
JOB_CREATED = closed(
    [
        "id",
        "operation",
        "object",
        "createdById",
        "createdDate",
        "systemModstamp",
        "state",
        "concurrencyMode",
        "contentType",
        "apiVersion",
        "lineEnding",
        "columnDelimiter",
    ],
    id=JOB_ID,
    operation={"enum": ["query", "queryAll"]},
    object=TEXT,
    createdById=USER_ID,
    createdDate=DATETIME,
    systemModstamp=DATETIME,
    state={"const": "UploadComplete"},
    concurrencyMode={"const": "Parallel"},
    contentType={"const": "CSV"},
    apiVersion=NUMBER,
    lineEnding={"enum": ["LF", "CRLF"]},
    columnDelimiter={"enum": ["BACKQUOTE", "CARET", "COMMA", "PIPE", "SEMICOLON", "TAB"]},
)
JOB_INFO = closed(
    [*JOB_CREATED["required"], "jobType", "numberRecordsProcessed", "retries"],
    **{
        **JOB_CREATED["properties"],
        "state": {"enum": ["UploadComplete", "InProgress", "Aborted", "JobComplete", "Failed"]},
    },
    jobType={"const": "V2Query"},
    numberRecordsProcessed=INT,
    retries=INT,
    totalProcessingTime=INT,
    isPkChunkingSupported=BOOL,
    errorMessage=TEXT,
)

# --- OAuth -------------------------------------------------------------------------------------

IDENTITY_URL = {"type": "string", "pattern": r"/id/00D[0-9A-Za-z]{15}/005[0-9A-Za-z]{15}$"}
TOKEN = closed(
    ["access_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"],
    access_token={"type": "string", "minLength": 1},
    refresh_token={"type": "string", "minLength": 1},
    signature={"type": "string", "pattern": r"^[A-Za-z0-9+/]{43}=$"},  # HMAC-SHA256, base64
    scope=TEXT,
    instance_url={"type": "string", "pattern": "^https://"},
    id=IDENTITY_URL,
    token_type={"const": "Bearer"},
    # Documented as "seconds since the epoch"; every example the guides give (REST API
    # Developer Guide, intro_understanding_refresh_token_oauth: 1278448384422) has 13 digits.
    issued_at={"type": "string", "pattern": r"^\d{13}$"},
    # Only with the openid scope, or for an Experience Cloud site: never asked for here.
    id_token=TEXT,
    sfdc_community_url=TEXT,
    sfdc_community_id=TEXT,
)
OAUTH_ERROR = closed(error=TEXT, error_description=TEXT)
USERINFO = {
    "type": "object",
    "required": [
        "sub",
        "user_id",
        "organization_id",
        "preferred_username",
        "nickname",
        "name",
        "email",
        "email_verified",
        "given_name",
        "family_name",
        "zoneinfo",
        "urls",
        "active",
        "user_type",
        "language",
        "locale",
        "utcOffset",
        "updated_at",
    ],
    "properties": {
        "sub": IDENTITY_URL,
        "user_id": USER_ID,
        "organization_id": record_id("00D"),
        "email_verified": BOOL,
        "urls": {"type": "object", "additionalProperties": TEXT},
        "active": BOOL,
        "utcOffset": INT,
        **{
            name: TEXT
            for name in (
                "preferred_username",
                "nickname",
                "name",
                "email",
                "given_name",
                "family_name",
                "zoneinfo",
                "user_type",
                "language",
                "locale",
                "updated_at",
            )
        },
    },
}


def login(path: str) -> str:
    return f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/{path}"


class Rest:
    """requests to an org's instance, as the collection sends them: a bearer token, the https
    front's CA passed with each request (REQUESTS_CA_BUNDLE would beat a session's verify)."""

    def __init__(self, answer: dict, ca: str):
        self.instance, self.token, self.ca = answer["instance_url"], answer["access_token"], ca

    def __call__(self, method: str, path: str, version=VERSION, **kwargs) -> requests.Response:
        url = f"{self.instance}/services/data/v{version}/{path}"
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, url, headers=headers, verify=self.ca, timeout=10, **kwargs)


@pytest.fixture
def org(salesforce):
    return store.default_org()


@pytest.fixture
def rest(org, tls_front):
    return Rest(tokens.connect(org), str(tls_front.ca))


def failed(answer: requests.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    jsonschema.validate(answer.json(), ERROR)
    assert answer.json()[0]["errorCode"] == code


def test_oauth_answers_meet_salesforce_s_description(salesforce, tls_front):
    # web_server_flow_1: the consent page with the collection's parameters (and a state).
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.SALESFORCE_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "scope": "full refresh_token",
            "state": "contract",
        }
    )
    code = redirect_params(submit_consent(f"{login('authorize')}?{query}"))["code"]
    client = {
        "client_id": settings.SALESFORCE_CLIENT_ID,
        "client_secret": settings.SALESFORCE_CLIENT_SECRET,
    }
    flow = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, "format": "json"}
    answer = requests.post(login("token"), data={"code": code, **flow, **client}, timeout=10)
    assert answer.status_code == 200, answer.text
    first = answer.json()
    jsonschema.validate(first, TOKEN)
    assert "refresh_token" in first and first["scope"] == "full refresh_token"
    again = requests.post(login("token"), data={"code": code, **flow, **client}, timeout=10)
    assert again.status_code == 400
    jsonschema.validate(again.json(), OAUTH_ERROR)

    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], **client}
    refreshed = requests.post(login("token"), data=refresh, timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    jsonschema.validate(refreshed.json(), TOKEN)

    bearer = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    info = requests.get(login("userinfo"), headers=bearer, timeout=10)
    assert info.status_code == 200, info.text
    jsonschema.validate(info.json(), USERINFO)
    assert info.json()["sub"] == first["id"]

    revoked = requests.post(
        login("revoke"), data={"token": refreshed.json()["access_token"]}, timeout=10
    )
    assert revoked.status_code == 200
    unknown = requests.post(login("revoke"), data={"token": "no-such-token"}, timeout=10)
    assert unknown.status_code == 400
    jsonschema.validate(unknown.json(), OAUTH_ERROR)
    assert unknown.json()["error"] in ("invalid_token", "unsupported_token_type")
    gone = Rest(refreshed.json(), str(tls_front.ca))("GET", "limits")
    failed(gone, 401, "INVALID_SESSION_ID")


def test_queries_and_their_errors_meet_salesforce_s_description(org, rest):
    seed.seed(org, accounts=250, contacts=5)
    small_batches = {"Sforce-Query-Options": "batchSize=200"}
    first = rest("GET", "query/?q=SELECT+name+from+Account", headers=small_batches)
    assert first.status_code == 200, first.text
    jsonschema.validate(first.json(), QUERY_RESULT)
    assert first.json()["done"] is False and first.json()["totalSize"] == 250
    assert first.headers["Sforce-Limit-Info"].startswith("api-usage=")

    # Query More Results: the path of nextRecordsUrl, on the instance.
    path = first.json()["nextRecordsUrl"].removeprefix(f"/services/data/v{VERSION}/")
    rest_of_it = rest("GET", path, headers=small_batches).json()
    jsonschema.validate(rest_of_it, QUERY_RESULT)
    assert rest_of_it["done"] is True and len(rest_of_it["records"]) == 50

    everything = rest("GET", "queryAll/?q=SELECT+Id,+Email+FROM+Contact").json()
    jsonschema.validate(everything, QUERY_RESULT)
    assert everything["totalSize"] == 5 and "nextRecordsUrl" not in everything

    failed(rest("GET", "query/?q=SELECT+Nope+FROM+Account"), 400, "INVALID_FIELD")
    failed(rest("GET", "query/?q=SELEKT+Id+FROM+Account"), 400, "MALFORMED_QUERY")
    tokens.expire_sessions(token=rest.token)
    failed(rest("GET", "query/?q=SELECT+Id+FROM+Account"), 401, "INVALID_SESSION_ID")


def test_describe_meets_the_describe_sobject_result(rest):
    for sobject in ("Account", "Contact", "Opportunity"):
        answer = rest("GET", f"sobjects/{sobject}/describe")
        assert answer.status_code == 200, answer.text
        jsonschema.validate(answer.json(), DESCRIBE)
        assert answer.json()["name"] == sobject
    failed(rest("GET", "sobjects/Nothing__c/describe"), 404, "NOT_FOUND")


def test_collections_meet_the_save_result(org, rest):
    created = rest(
        "POST",
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Acme"},
                {"attributes": {"type": "Contact"}, "FirstName": "No last name"},
                {"attributes": {"type": "Contact"}, "LastName": "Lee"},
            ],
        },
    )
    assert created.status_code == 200, created.text
    results = created.json()
    jsonschema.validate(results, SAVE_RESULTS)
    assert [result["success"] for result in results] == [True, False, True]
    account, contact = results[0]["id"], results[2]["id"]

    updated = rest(
        "PATCH",
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "id": account, "NumberOfEmployees": 27},
                {"attributes": {"type": "Contact"}, "id": contact, "Email": "not an email"},
            ],
        },
    )
    assert updated.status_code == 200, updated.text
    jsonschema.validate(updated.json(), SAVE_RESULTS)
    assert [result["success"] for result in updated.json()] == [True, False]

    rolled_back = rest(
        "POST",
        "composite/sobjects",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Kept out"},
                {"attributes": {"type": "Contact"}},
            ],
        },
    )
    jsonschema.validate(rolled_back.json(), SAVE_RESULTS)
    assert not any(result["success"] for result in rolled_back.json())

    deleted = rest(
        "DELETE", "composite/sobjects", params={"ids": f"{account},{contact}", "allOrNone": "false"}
    )
    assert deleted.status_code == 200, deleted.text
    jsonschema.validate(deleted.json(), SAVE_RESULTS)
    assert [result["success"] for result in deleted.json()] == [True, True]

    failed(rest("POST", "composite/sobjects", data="{not json"), 400, "JSON_PARSER_ERROR")


def test_updated_and_deleted_meet_their_results(org, rest):
    seed.seed(org, contacts=3)
    contacts = SalesforceRecord.objects.filter(org=org, sobject="Contact")
    contacts.update(system_modstamp=store.now() - timedelta(hours=1))
    gone = contacts.first()
    contacts.filter(pk=gone.pk).update(deleted_at=store.now() - timedelta(minutes=10))
    now = datetime.now(UTC).replace(microsecond=0)
    window = {"start": (now - timedelta(days=2)).isoformat(), "end": now.isoformat()}

    updated = rest("GET", "sobjects/Contact/updated/", params=window)
    assert updated.status_code == 200, updated.text
    jsonschema.validate(updated.json(), UPDATED)
    assert len(updated.json()["ids"]) == 2
    deleted = rest("GET", "sobjects/Contact/deleted/", params=window)
    assert deleted.status_code == 200, deleted.text
    jsonschema.validate(deleted.json(), DELETED)
    assert [item["id"] for item in deleted.json()["deletedRecords"]] == [gone.record_id]

    backwards = {"start": window["end"], "end": window["start"]}
    failed(
        rest("GET", "sobjects/Contact/updated/", params=backwards), 400, "INVALID_REPLICATION_DATE"
    )


def test_limits_meet_salesforce_s_description(rest):
    answer = rest("GET", "limits")
    assert answer.status_code == 200, answer.text
    jsonschema.validate(answer.json(), LIMITS)


def test_bulk_query_jobs_meet_the_bulk_api_2_description(org, rest):
    seed.seed(org, accounts=3)
    body = {
        "operation": "query",
        "query": "SELECT Id, Name FROM Account",
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    }
    created = rest("POST", "jobs/query", json=body)
    assert created.status_code == 200, created.text
    job = created.json()
    jsonschema.validate(job, JOB_CREATED)

    csv_please = {"Accept": "text/csv"}
    failed(
        rest("GET", f"jobs/query/{job['id']}/results", headers=csv_please), 412, "JOB_NOT_COMPLETE"
    )

    deadline = time.monotonic() + 5
    while True:
        info = rest("GET", f"jobs/query/{job['id']}").json()
        jsonschema.validate(info, JOB_INFO)
        if info["state"] == "JobComplete" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == 3

    results = rest("GET", f"jobs/query/{job['id']}/results", headers=csv_please)
    assert results.status_code == 200, results.text
    assert results.headers["Content-Type"].startswith("text/csv")
    assert results.headers["Sforce-NumberOfRecords"] == "3"
    assert results.headers["Sforce-Locator"] == "null"
    rows = list(csv.reader(io.StringIO(results.text)))
    assert rows[0] == ["Id", "Name"] and len(rows) == 4
    # Results are read with the API version the job was made with; another one answers 409.
    other = rest("GET", f"jobs/query/{job['id']}/results", version="61.0", headers=csv_please)
    assert other.status_code == 409, other.text
    jsonschema.validate(other.json(), ERROR)
    failed(rest("GET", "jobs/query/750000000000000AAA"), 404, "NOT_FOUND")
