"""A workspace connects its own Twilio account: the SID and token are checked with Twilio through
the SDK (the sandbox), the number must be one of the account's, and nothing is stored on a
refusal."""

import pytest
from django.db import connection

from clianta import audit
from clianta.models import AuditEvent, Membership
from integrations.models import IntegrationCredential
from sandbox import faults
from sandbox.twilio import store as twilio_store
from sandbox.twilio.models import TwilioMessage

from .conftest import OUR_NUMBER

pytestmark = pytest.mark.django_db(transaction=True)
CONNECT = "/api/integrations/twilio/connect"


@pytest.fixture
def owned(sandbox):
    """A sandbox account owning OUR_NUMBER."""
    return twilio_store.create_account(numbers=(OUR_NUMBER,))


def connect(api, account, **changes):
    body = {
        "account_sid": account.sid,
        "auth_token": account.auth_token,
        "phone_number": "(500) 555-0006",
        **changes,
    }
    return api.post(CONNECT, body, format="json")


def twilio_credentials():
    return IntegrationCredential.objects.filter(provider="twilio")


def test_an_owner_connects_the_account_and_texts_go_from_its_number(
    api_a, workspace_a, alice, owned
):
    response = connect(api_a, owned)

    assert response.status_code == 201, response.json()
    credential = twilio_credentials().get()
    assert response.json() == {
        "id": str(credential.pk),
        "account_sid": owned.sid,
        "account_name": f"Sandbox account {owned.sid[-6:]}",
        "phone_number": OUR_NUMBER,
    }
    assert (credential.workspace, credential.account, credential.connected_by) == (
        workspace_a,
        owned.sid,
        alice,
    )
    assert credential.api_key == owned.auth_token
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key FROM integrations_integrationcredential WHERE id = %s",
            [credential.pk],
        )
        assert owned.auth_token not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action=audit.INTEGRATION_CONNECTED).count() == 1

    sent = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    at_twilio = TwilioMessage.objects.get(sid=sent.json()["sid"])
    assert (at_twilio.account, at_twilio.from_number) == (owned, OUR_NUMBER)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"account_sid": "sandbox-twilio-account-sid"},
            "account_sid",
            "An Account SID is AC followed by 32 hexadecimal digits.",
        ),
        ({"account_sid": "AC" + "g" * 32}, "account_sid", None),
        ({"auth_token": "secret"}, "auth_token", "An Auth Token is 32 hexadecimal digits."),
        ({"auth_token": "0" * 16 + "\r\n" + "0" * 16}, "auth_token", None),
        ({"phone_number": "12"}, "phone_number", None),
    ],
)
def test_malformed_values_are_refused_before_twilio_is_asked(api_a, owned, changes, field, message):
    faults.clear_calls("twilio")
    response = connect(api_a, owned, **changes)

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == [field]
    if message:
        assert fields[field] == [message]
    assert not faults.calls("twilio").exists()
    assert not twilio_credentials().exists()


def test_a_token_twilio_refuses_is_a_clear_400_and_nothing_is_stored(api_a, owned):
    response = connect(api_a, owned, auth_token="0" * 32)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "account_refused"
    assert body["fields"] == {"auth_token": ["Twilio refused this Account SID and Auth Token."]}
    assert not twilio_credentials().exists()
    assert not AuditEvent.objects.filter(action=audit.INTEGRATION_CONNECTED).exists()


def test_an_unknown_account_is_refused(api_a, owned):
    response = connect(api_a, owned, account_sid="AC" + "0" * 32)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["auth_token"]
    assert not twilio_credentials().exists()


def test_a_number_the_account_does_not_own_is_refused(api_a, owned):
    response = connect(api_a, owned, phone_number="+1 415 555 2671")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "phone_number": ["+14155552671 is not a number of this Twilio account."]
    }
    assert not twilio_credentials().exists()


def test_twilio_unavailable_answers_503_and_stores_nothing(api_a, owned):
    faults.inject("twilio", r"/Accounts/AC[0-9a-f]+\.json$", status=503)

    response = connect(api_a, owned)

    assert response.status_code == 503
    assert not twilio_credentials().exists()


def test_members_may_not_connect(client_for, make_user, workspace_a, owned):
    member = make_user("member")
    Membership.objects.create(workspace=workspace_a, user=member, role=Membership.Role.MEMBER)
    faults.clear_calls("twilio")

    response = connect(client_for(member), owned)

    assert response.status_code == 403
    assert not twilio_credentials().exists()
    assert not faults.calls("twilio").exists()


def test_a_number_another_workspace_sends_from_is_refused(api_a, api_b, workspace_b, owned):
    assert connect(api_b, owned).status_code == 201

    response = connect(api_a, owned)

    assert response.status_code == 409
    assert response.json()["code"] == "account_taken"
    assert twilio_credentials().get().workspace == workspace_b


def test_connecting_another_account_replaces_the_earlier_one(api_a, owned):
    other = twilio_store.create_account(numbers=("+15005550007",))
    assert connect(api_a, owned).status_code == 201

    response = connect(api_a, other, phone_number="+15005550007")

    assert response.status_code == 201
    assert list(twilio_credentials().values_list("account", flat=True)) == [other.sid]
    assert AuditEvent.objects.filter(action=audit.INTEGRATION_DISCONNECTED).count() == 1


def test_connecting_the_same_account_again_updates_the_token_and_number(api_a, alice, owned):
    owned.numbers.create(sid=twilio_store.new_sid("PN"), phone_number="+15005550007")
    assert connect(api_a, owned).status_code == 201

    response = connect(api_a, owned, phone_number="+15005550007")

    assert response.status_code == 201
    credential = twilio_credentials().get()
    assert (credential.metadata["phone_number"], credential.connected_by) == (
        "+15005550007",
        alice,
    )
