"""The Google Sheets sandbox driven by google-api-python-client: spreadsheets and values."""

import time

import pytest
from django.conf import settings
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from sandbox import faults
from sandbox.google import sheets_store as store
from sandbox.google.tokens import create_grant, issue

SPREADSHEETS = "https://www.googleapis.com/auth/spreadsheets"
READONLY = "https://www.googleapis.com/auth/spreadsheets.readonly"
OWNER = "owner@example.com"
SEED = [
    ["Name", "Email", "Score"],
    ["Ada", "ada@example.com", 10],
    ["Bob", "", 7.5, "", ""],
    ["", "", ""],
]

# SEED as values.get answers it: FORMATTED_VALUE strings, trailing blanks dropped.
TABLE = [["Name", "Email", "Score"], ["Ada", "ada@example.com", "10"], ["Bob", "", "7.5"]]

pytestmark = pytest.mark.django_db(transaction=True)


def sheets(email=OWNER, scopes=(SPREADSHEETS,)):
    """A Sheets service on the sandbox, built as the app builds it."""
    token = issue(create_grant(email, list(scopes)))["access_token"]
    return build(
        "sheets",
        "v4",
        credentials=Credentials(token),
        client_options={"api_endpoint": settings.GOOGLE_SHEETS_API_URL},
        cache_discovery=False,
    )


def values(service):
    return service.spreadsheets().values()


def error_of(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, caught.value.error_details or str(caught.value)


def test_create_and_get(sandbox):
    service = sheets()
    created = (
        service.spreadsheets()
        .create(body={"properties": {"title": "Leads"}}, fields=None)
        .execute()
    )
    assert created["properties"]["title"] == "Leads"
    assert created["properties"]["locale"] and created["properties"]["timeZone"]
    [sheet] = created["sheets"]
    assert sheet["properties"]["title"] == "Sheet1"
    assert sheet["properties"]["sheetId"] == 0 and sheet["properties"]["index"] == 0
    assert sheet["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 26}
    assert created["spreadsheetUrl"].endswith(created["spreadsheetId"] + "/edit")
    assert store.spreadsheets(OWNER) == [created["spreadsheetId"]]

    named = service.spreadsheets().create(
        body={"properties": {"title": "Two"}, "sheets": [{"properties": {"title": "My Sheet"}}]}
    )
    named = named.execute()
    assert [s["properties"]["title"] for s in named["sheets"]] == ["My Sheet"]
    fetched = service.spreadsheets().get(spreadsheetId=created["spreadsheetId"]).execute()
    assert fetched == created


@pytest.mark.parametrize(
    ("a1", "answer_range", "expected"),
    [
        ("Sheet1!A1:C10", "Sheet1!A1:C10", TABLE),
        ("Sheet1", "Sheet1!A1:Z1000", TABLE),
        ("A1:B2", "Sheet1!A1:B2", [["Name", "Email"], ["Ada", "ada@example.com"]]),
        ("'Sheet1'!B:B", "Sheet1!B1:B1000", [["Email"], ["ada@example.com"]]),
        ("Sheet1!2:3", "Sheet1!A2:Z3", [["Ada", "ada@example.com", "10"], ["Bob", "", "7.5"]]),
        ("Sheet1!C3", "Sheet1!C3", [["7.5"]]),
        ("Sheet1!E1:F9", "Sheet1!E1:F9", None),
    ],
)
def test_values_get_ranges(sandbox, a1, answer_range, expected):
    spreadsheet_id = store.create_spreadsheet(OWNER, "Seeded", SEED)
    answer = values(sheets()).get(spreadsheetId=spreadsheet_id, range=a1).execute()
    assert answer["range"] == answer_range
    assert answer["majorDimension"] == "ROWS"
    if expected is None:
        assert "values" not in answer
    else:
        # FORMATTED_VALUE (the default) answers strings; trailing blanks are dropped.
        assert answer["values"] == expected


def test_values_get_quoted_sheet_and_options(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "Q", [["a", 1], ["b", True]], sheet="My Sheet")
    call = values(sheets()).get(
        spreadsheetId=spreadsheet_id,
        range="'My Sheet'!A:B",
        valueRenderOption="UNFORMATTED_VALUE",
    )
    answer = call.execute()
    assert answer["range"] == "'My Sheet'!A1:B1000"
    assert answer["values"] == [["a", 1], ["b", True]]
    columns = values(sheets()).get(
        spreadsheetId=spreadsheet_id, range="'My Sheet'!A1:B2", majorDimension="COLUMNS"
    )
    assert columns.execute()["values"] == [["a", "b"], ["1", "TRUE"]]


def test_unknown_sheet_and_bad_ranges_are_400(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "X", SEED)
    service = sheets()
    for bad in ("Nope!A1:B2", "Nope", "Sheet1!A1:B2:C3", "'Unclosed!A1"):
        status, details = error_of(values(service).get(spreadsheetId=spreadsheet_id, range=bad))
        assert status == 400
        assert f"Unable to parse range: {bad}" in str(details)
    status, details = error_of(values(service).get(spreadsheetId=spreadsheet_id, range="A1:AB2"))
    assert status == 400 and "exceeds grid limits" in str(details)


def test_update_counts_and_input_options(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "U", [["keep", "me"]])
    service = sheets()
    answer = (
        values(service)
        .update(
            spreadsheetId=spreadsheet_id,
            range="Sheet1!A2",
            valueInputOption="USER_ENTERED",
            body={"values": [["x", "12", "TRUE"], ["y", "1,500.5", "'007"]]},
        )
        .execute()
    )
    assert answer == {
        "spreadsheetId": spreadsheet_id,
        "updatedRange": "Sheet1!A2:C3",
        "updatedRows": 2,
        "updatedColumns": 3,
        "updatedCells": 6,
    }
    assert store.rows(spreadsheet_id, "Sheet1") == [
        ["keep", "me"],
        ["x", 12, True],
        ["y", 1500.5, "007"],
    ]
    raw = values(service).update(
        spreadsheetId=spreadsheet_id,
        range="A4:B4",
        valueInputOption="RAW",
        body={"values": [["12", 3]]},
    )
    assert raw.execute()["updatedRange"] == "Sheet1!A4:B4"
    unformatted = values(service).get(
        spreadsheetId=spreadsheet_id, range="A2:C4", valueRenderOption="UNFORMATTED_VALUE"
    )
    assert unformatted.execute()["values"] == [["x", 12, True], ["y", 1500.5, "007"], ["12", 3]]
    too_wide = values(service).update(
        spreadsheetId=spreadsheet_id,
        range="A1:B1",
        valueInputOption="RAW",
        body={"values": [["1", "2", "3"]]},
    )
    status, details = error_of(too_wide)
    assert status == 400 and "Requested writing within range" in str(details)


def test_writes_without_value_input_option_are_refused(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "V", [["a"]])
    service = sheets()
    calls = [
        values(service).update(spreadsheetId=spreadsheet_id, range="A1", body={"values": [["b"]]}),
        values(service).append(spreadsheetId=spreadsheet_id, range="A1", body={"values": [["b"]]}),
        values(service).batchUpdate(
            spreadsheetId=spreadsheet_id, body={"data": [{"range": "A1", "values": [["b"]]}]}
        ),
    ]
    for call in calls:
        status, details = error_of(call)
        assert status == 400
        assert "'valueInputOption' is required but not specified" in str(details)
    assert store.rows(spreadsheet_id, "Sheet1") == [["a"]]


def test_append_after_the_table(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "A", SEED)
    service = sheets()
    answer = (
        values(service)
        .append(
            spreadsheetId=spreadsheet_id,
            range="Sheet1!A:C",
            valueInputOption="USER_ENTERED",
            insertDataOption="INSERT_ROWS",
            body={"values": [["Cy", "cy@example.com", "3"], ["Di", "di@example.com"]]},
        )
        .execute()
    )
    assert answer == {
        "spreadsheetId": spreadsheet_id,
        "tableRange": "Sheet1!A1:C3",
        "updates": {
            "spreadsheetId": spreadsheet_id,
            "updatedRange": "Sheet1!A4:C5",
            "updatedRows": 2,
            "updatedColumns": 3,
            "updatedCells": 5,
        },
    }
    assert store.rows(spreadsheet_id, "Sheet1")[3:] == [
        ["Cy", "cy@example.com", 3],
        ["Di", "di@example.com"],
    ]
    empty = store.create_spreadsheet(OWNER, "Empty")
    first = values(service).append(
        spreadsheetId=empty, range="Sheet1", valueInputOption="RAW", body={"values": [["h"]]}
    )
    answer = first.execute()
    assert "tableRange" not in answer
    assert answer["updates"]["updatedRange"] == "Sheet1!A1"


def test_batch_get_and_batch_update(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "B", SEED)
    service = sheets()
    answer = (
        values(service)
        .batchUpdate(
            spreadsheetId=spreadsheet_id,
            body={
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Sheet1!D1", "values": [["Note"]]},
                    {"range": "Sheet1!D2:D3", "majorDimension": "COLUMNS", "values": [["x", "y"]]},
                ],
            },
        )
        .execute()
    )
    assert answer["totalUpdatedCells"] == 3 and answer["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in answer["responses"]] == ["Sheet1!D1", "Sheet1!D2:D3"]
    got = values(service).batchGet(spreadsheetId=spreadsheet_id, ranges=["D1:D3", "A1"]).execute()
    assert got["spreadsheetId"] == spreadsheet_id
    assert [r["range"] for r in got["valueRanges"]] == ["Sheet1!D1:D3", "Sheet1!A1"]
    assert got["valueRanges"][0]["values"] == [["Note"], ["x"], ["y"]]
    assert got["valueRanges"][1]["values"] == [["Name"]]


def test_add_sheet_with_batch_update(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "S")
    service = sheets()
    answer = (
        service.spreadsheets()
        .batchUpdate(
            spreadsheetId=spreadsheet_id,
            body={"requests": [{"addSheet": {"properties": {"title": "Q1 Leads"}}}]},
        )
        .execute()
    )
    properties = answer["replies"][0]["addSheet"]["properties"]
    assert answer["spreadsheetId"] == spreadsheet_id
    assert properties["title"] == "Q1 Leads" and properties["index"] == 1
    assert isinstance(properties["sheetId"], int) and properties["sheetId"] > 0
    values(service).update(
        spreadsheetId=spreadsheet_id,
        range="'Q1 Leads'!A1",
        valueInputOption="RAW",
        body={"values": [["hi"]]},
    ).execute()
    assert store.rows(spreadsheet_id, "Q1 Leads") == [["hi"]]
    titles = [
        s["properties"]["title"]
        for s in service.spreadsheets().get(spreadsheetId=spreadsheet_id).execute()["sheets"]
    ]
    assert titles == ["Sheet1", "Q1 Leads"]
    duplicate = service.spreadsheets().batchUpdate(
        spreadsheetId=spreadsheet_id,
        body={
            "requests": [
                {"addSheet": {"properties": {"title": "Fresh"}}},
                {"addSheet": {"properties": {"title": "q1 leads"}}},
            ]
        },
    )
    status, details = error_of(duplicate)
    assert status == 400 and "already exists" in str(details)
    # All or nothing: the first request of the failed batch left no sheet behind.
    assert len(service.spreadsheets().get(spreadsheetId=spreadsheet_id).execute()["sheets"]) == 2


def test_other_users_spreadsheets_are_refused(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "Mine", SEED)
    intruder = sheets("intruder@example.com")
    status, _ = error_of(values(intruder).get(spreadsheetId=spreadsheet_id, range="A1"))
    assert status == 403
    status, _ = error_of(intruder.spreadsheets().get(spreadsheetId=spreadsheet_id))
    assert status == 403
    write = values(intruder).update(
        spreadsheetId=spreadsheet_id, range="A1", valueInputOption="RAW", body={"values": [["x"]]}
    )
    assert error_of(write)[0] == 403
    assert error_of(intruder.spreadsheets().get(spreadsheetId="missing"))[0] == 404
    assert store.rows(spreadsheet_id, "Sheet1")[0] == ["Name", "Email", "Score"]
    assert store.spreadsheets("intruder@example.com") == []


def test_scopes(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "R", SEED)
    reader = sheets(scopes=(READONLY,))
    assert values(reader).get(spreadsheetId=spreadsheet_id, range="A1").execute()["values"]
    write = values(reader).update(
        spreadsheetId=spreadsheet_id, range="A1", valueInputOption="RAW", body={"values": [["x"]]}
    )
    assert error_of(write)[0] == 403
    gmail_only = sheets(scopes=("https://www.googleapis.com/auth/gmail.readonly",))
    assert error_of(values(gmail_only).get(spreadsheetId=spreadsheet_id, range="A1"))[0] == 403


def test_faults_apply(sandbox):
    spreadsheet_id = store.create_spreadsheet(OWNER, "F", SEED)
    service = sheets()
    faults.inject("google", r"/google/v4/spreadsheets/.*/values/", status=503, times=1)
    status, _ = error_of(values(service).get(spreadsheetId=spreadsheet_id, range="A1"))
    assert status == 503
    assert values(service).get(spreadsheetId=spreadsheet_id, range="A1").execute()["values"]
    assert faults.calls("google", path_contains="/v4/spreadsheets/").count() == 2


def test_quota_per_user_per_minute(sandbox, settings):
    settings.SANDBOX_SHEETS_READS_PER_MINUTE = 2
    # The quota counts per clock minute: start well inside one, so the three reads share it.
    if time.time() % 60 > 50:
        time.sleep(60 - time.time() % 60)
    spreadsheet_id = store.create_spreadsheet(OWNER, "Q", SEED)
    service = sheets()
    for _ in range(2):
        values(service).get(spreadsheetId=spreadsheet_id, range="A1").execute()
    status, details = error_of(values(service).get(spreadsheetId=spreadsheet_id, range="A1"))
    assert status == 429
    assert details[0]["reason"] == "rateLimitExceeded"
    # Writes have their own budget, and other users theirs.
    values(service).update(
        spreadsheetId=spreadsheet_id, range="A1", valueInputOption="RAW", body={"values": [["x"]]}
    ).execute()
    other = store.create_spreadsheet("other@example.com", "O", SEED)
    assert values(sheets("other@example.com")).get(spreadsheetId=other, range="A1").execute()
