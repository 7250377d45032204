"""The /clianta slash command, run from the sandbox Slack: signed form posts answered in the
request with ephemeral Block Kit messages."""

import json

import pytest
import requests

from clianta.models import Company, Contact
from integrations.models import WebhookDelivery
from messaging.slack import commands

pytestmark = pytest.mark.django_db(transaction=True)


def run(sandbox, text):
    answer = requests.post(f"{sandbox.url}/slack/_commands", json={"text": text}, timeout=30)
    assert answer.status_code == 201, answer.text
    delivery = answer.json()
    assert [a["status"] for a in delivery["answers"]] == [200]
    return json.loads(delivery["body"]), delivery


@pytest.fixture
def people(workspace_a, workspace_b):
    acme = Company.objects.create(workspace=workspace_a, name="Acme")
    Contact.objects.create(
        workspace=workspace_a,
        first_name="John",
        last_name="Doe",
        email="john@acme.example",
        title="CTO",
        company=acme,
    )
    Contact.objects.create(workspace=workspace_a, first_name="Johnny", email="jj@acme.example")
    Contact.objects.create(workspace=workspace_b, first_name="John", email="john@other.example")


def texts(answer):
    return [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]


def test_find_contact_by_email_answers_the_contact_ephemerally(installed, sandbox, people):
    answer, _ = run(sandbox, "find contact John@Acme.example")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["type"] == "header"
    assert texts(answer) == ["*John Doe*\nCTO · Acme\njohn@acme.example"]
    assert not WebhookDelivery.objects.exists()


def test_find_contact_by_name_lists_only_the_teams_workspace(installed, sandbox, people):
    answer, _ = run(sandbox, "find contact john")
    assert answer["text"] == "2 contacts matching “john”"
    assert [t.splitlines()[0] for t in texts(answer)] == ["*John Doe*", "*Johnny*"]
    assert "other.example" not in str(answer)


def test_no_match_says_so(installed, sandbox, people):
    answer, _ = run(sandbox, "find contact nobody@nowhere.example")
    assert answer["text"] == "No contact matches “nobody@nowhere.example”."


@pytest.mark.parametrize("text", ["help", "", "dance"])
def test_help_and_unknown_commands_answer_the_help(installed, sandbox, text):
    answer, _ = run(sandbox, text)
    assert (answer["response_type"], answer["text"]) == ("ephemeral", commands.HELP)


def test_a_team_not_connected_is_told_so(sandbox, people):
    answer, _ = run(sandbox, "find contact john")
    assert answer["text"] == "This Slack team is not connected to a Clianta workspace yet."


def test_the_sandbox_serves_and_records_the_response_url(sandbox):
    _, delivery = run(sandbox, "help")
    url = delivery["payload"]["response_url"]
    assert requests.post(url, json={"text": "later"}, timeout=10).text == "ok"
    key = delivery["key"]
    recorded = requests.get(f"{sandbox.url}/slack/_deliveries/{key}", timeout=10).json()
    assert recorded["responses"] == [{"text": "later"}]
