"""The roles table of SECURITY.md ("Who may do what"), walked cell by cell against the real API.

The expectations are read from SECURITY.md itself: ✓ means the action's answer when allowed,
✗ a 403 in the error format. ``TABLE`` says how to ask for each action; every line of the table
has exactly one row here, and each (row, person) pair is one test case.

Five people in one workspace: its owner, an admin, a plain member, the integration owner (a plain
member who connected the mailbox, the calendar and, in the Slack rows, installed Slack) and a
delegate (a plain member the mailbox is delegated to).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import BillingAccount
from bookings.models import Booking, BookingLink
from calendars.models import CalendarIntegration
from clianta.models import AuditEvent, Company, Contact, Deal, Membership, Workspace
from crm_sync.models import FieldMapping
from email_accounts.models import BlockedSender, EmailAccount, MailboxDelegate
from integrations.models import IntegrationCredential
from integrations.providers.stripe.client import platform as platform_client
from messaging.slack.models import NotificationRule, SlackIntegration
from outbound_webhooks import services as webhook_services
from outbound_webhooks.models import Delivery
from payments import services as payments_services
from productivity.models import KnowledgePage
from sandbox.stripe import keys as stripe_keys
from sandbox.stripe import store as stripe_store
from sandbox.twilio import store as twilio_store
from tests.conftest import sandbox_tokens
from tests.crm_sync.helpers import connect_org
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES
from tests.integrations.oauth_helpers import finish, start
from tests.messaging.slack.conftest import consent

Role = Membership.Role
# An endpoint on loopback (allowed in tests, as in development) where nothing listens.
CLOSED_PORT_URL = "http://127.0.0.1:9/hook"
PEOPLE = ("owner", "admin", "member", "integration_owner", "delegate")
HEADER = "| Action | Owner | Admin | Member | Integration owner | Delegate |"
ROLE_OF = {
    "owner": Role.OWNER,
    "admin": Role.ADMIN,
    "member": Role.MEMBER,
    "integration_owner": Role.MEMBER,
    "delegate": Role.MEMBER,
}


@dataclass
class World:
    """The workspace, its people and what the integration owner connected."""

    workspace: Workspace
    users: dict
    memberships: dict
    credential: IntegrationCredential
    account: EmailAccount
    delegation: MailboxDelegate
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """How to ask for one action of the table, and its answer when allowed (a refusal is 403)."""

    action: str  # the table's first column, up to the route in parentheses
    method: str
    path: Callable[[World], str]
    allowed: int
    body: Callable[[World], dict] | None = None
    browser: bool = False  # a page or browser flow (session login) rather than the token API
    prepare: Callable[[World], None] | None = None
    sandbox: bool = False  # it talks to a provider (the sandbox plays it)


_MAPPINGS = "/api/salesforce/mappings"


def _org(world) -> None:
    """The workspace's Salesforce org (the sandbox's), connected by its owner."""
    connect_org(world.workspace, world.users["owner"])


def _title_mapping(world) -> str:
    return str(FieldMapping.objects.get(workspace=world.workspace, local_field="title").pk)


def _billing(world) -> str:
    return f"/api/workspaces/{world.workspace.pk}/billing"


def _billing_customer(world) -> None:
    """The workspace has its Stripe customer (a checkout was started once)."""
    customer = platform_client().v1.customers.create({"email": "owner@example.com"})
    BillingAccount.objects.create(workspace=world.workspace, customer_id=customer.id)


def _stripe_key(world) -> None:
    world.extra["stripe_key"] = stripe_keys.restricted_key(stripe_store.create_account())


def _payments_account(world) -> None:
    _stripe_key(world)
    owner = world.users["owner"]
    payments_services.connect_key(world.workspace, owner, world.extra["stripe_key"])


def _billable_deal(world) -> None:
    _payments_account(world)
    contact = Contact.objects.create(workspace=world.workspace, email="ada@acme.example")
    world.extra["deal"] = Deal.objects.create(
        workspace=world.workspace,
        name="Pilot",
        amount=1200,
        contact=contact,
        owner=world.users["integration_owner"],
    )


def _contact(world) -> None:
    world.extra["contact"] = Contact.objects.create(workspace=world.workspace, first_name="Ada")


def _twilio_account(world) -> None:
    world.extra["twilio"] = twilio_store.create_account(numbers=("+15005550006",))


def _page(world) -> None:
    world.extra["page"] = KnowledgePage.objects.create(workspace=world.workspace, page_id="p1")


def _company(world) -> None:
    world.extra["company"] = Company.objects.create(workspace=world.workspace, name="Acme")


def _blocked_sender(world) -> None:
    world.extra["blocked"] = BlockedSender.objects.create(
        workspace=world.workspace, pattern="news@shop.example"
    )


def _rule(world) -> None:
    world.extra["rule"] = NotificationRule.objects.create(
        workspace=world.workspace,
        name="Deals won",
        event_type="deal.won",
        channel="#sales",
        template="{deal_name} won",
    )


def _webhook_endpoint(world) -> None:
    endpoint = webhook_services.create(
        world.workspace, world.users["owner"], url=CLOSED_PORT_URL, event_types=["*"]
    )
    world.extra["endpoint"] = endpoint
    world.extra["delivery"] = Delivery.objects.create(
        endpoint=endpoint, message_id="evt_roles", event_type="deal.won", body="{}"
    )


def _calendar(world) -> None:
    scope = "openid email https://www.googleapis.com/auth/calendar"
    credential = IntegrationCredential.objects.create(
        workspace=world.workspace,
        provider="google_calendar",
        account=EMAIL,
        connected_by=world.users["integration_owner"],
        **sandbox_tokens(EMAIL, scope),
    )
    world.extra["calendar"] = CalendarIntegration.objects.create(
        workspace=world.workspace,
        email=EMAIL,
        credential=credential,
        user=world.users["integration_owner"],
    )


def _booking(world) -> None:
    """A link the integration owner made that books them, and a meeting booked through it
    (its event not made: nothing to cancel at a provider)."""
    _calendar(world)
    owner = world.users["integration_owner"]
    link = BookingLink.objects.create(
        workspace=world.workspace, title="Intro", duration_minutes=30, created_by=owner
    )
    link.members.set([world.memberships["integration_owner"]])
    start = timezone.now() + timedelta(days=2)
    world.extra["link"] = link
    world.extra["booking"] = Booking.objects.create(
        workspace=world.workspace,
        link=link,
        organizer=owner,
        hosts=[owner.pk],
        start=start,
        end=start + timedelta(minutes=30),
        name="Ada",
        email="ada@acme.example",
    )


def _slack(world) -> None:
    """Slack installed through the sandbox by the workspace's owner; its installer (the
    integration owner) has since become a plain member."""
    browser = Client()
    browser.force_login(world.users["owner"])
    finish(browser, consent(start(browser, world.workspace, "slack")))
    integration = SlackIntegration.objects.select_related("credential").get(
        workspace=world.workspace
    )
    IntegrationCredential.objects.filter(pk=integration.credential_id).update(
        connected_by=world.users["integration_owner"]
    )
    world.extra["slack"] = integration


TABLE = [
    # Integrations (every connected account, whatever its provider)
    Row("See the integrations", "get", lambda w: "/api/integrations", 200),
    Row(
        "Check an integration",
        "post",
        lambda w: f"/api/integrations/{w.credential.pk}/check",
        200,
    ),
    Row(
        "Disconnect an integration",
        "delete",
        lambda w: f"/api/integrations/{w.credential.pk}",
        204,
        sandbox=True,
    ),
    Row(
        "Disconnect on the settings page",
        "post",
        lambda w: f"/settings/integrations/{w.credential.pk}/disconnect",
        302,
        browser=True,
        sandbox=True,
    ),
    Row(
        "Connect one's own account",
        "post",
        lambda w: "/api/integrations/gmail/connect/start",
        302,
        body=lambda w: {"workspace": str(w.workspace.pk)},
        browser=True,
    ),
    Row(
        "Connect one's own mailbox",
        "post",
        lambda w: "/api/email-accounts",
        200,
        body=lambda w: {"provider": "gmail"},
    ),
    Row(
        "Connect Slack",
        "post",
        lambda w: "/api/integrations/slack/connect/start",
        302,
        body=lambda w: {"workspace": str(w.workspace.pk)},
        browser=True,
    ),
    Row(
        "Connect Notion",
        "post",
        lambda w: "/api/integrations/notion/connect",
        200,
        body=lambda w: {},
    ),
    Row(
        "Connect Twilio",
        "post",
        lambda w: "/api/integrations/twilio/connect",
        201,
        body=lambda w: {
            "account_sid": w.extra["twilio"].sid,
            "auth_token": w.extra["twilio"].auth_token,
            "phone_number": "+15005550006",
        },
        prepare=_twilio_account,
        sandbox=True,
    ),
    Row(
        "Connect Notion in the browser",
        "post",
        lambda w: "/api/integrations/notion/connect/start",
        302,
        body=lambda w: {"workspace": str(w.workspace.pk)},
        browser=True,
    ),
    # Mailboxes
    Row(
        "Send as a mailbox",
        "post",
        lambda w: f"/api/email-accounts/{w.account.pk}/send",
        201,
        body=lambda w: {"to": ["ann@acme.example"], "subject": "Hello", "body": "Hi"},
        sandbox=True,
    ),
    Row(
        "Disconnect a mailbox",
        "delete",
        lambda w: f"/api/email-accounts/{w.account.pk}",
        204,
        sandbox=True,
    ),
    Row(
        "See a mailbox's delegates",
        "get",
        lambda w: f"/api/email-accounts/{w.account.pk}/delegates",
        200,
    ),
    Row(
        "Delegate a mailbox",
        "post",
        lambda w: f"/api/email-accounts/{w.account.pk}/delegates",
        201,
        body=lambda w: {"member": str(w.memberships["member"].pk)},
    ),
    Row(
        "Remove a delegate",
        "delete",
        lambda w: f"/api/email-accounts/{w.account.pk}/delegates/{w.delegation.pk}",
        204,
    ),
    Row(
        "Change a calendar's settings",
        "patch",
        lambda w: f"/api/calendar/integrations/{w.extra['calendar'].pk}",
        200,
        body=lambda w: {"time_zone": "Europe/Paris"},
        prepare=_calendar,
    ),
    Row(
        "Create an event in a calendar, inviting from it",
        "post",
        lambda w: "/api/calendar/events",
        201,
        body=lambda w: {
            "integration": str(w.extra["calendar"].pk),
            "title": "Demo",
            "start": "2031-03-03T10:00:00Z",
            "end": "2031-03-03T11:00:00Z",
            "attendees": ["ann@acme.example"],
        },
        prepare=_calendar,
        sandbox=True,
    ),
    # Workspace settings
    Row("See the email settings", "get", lambda w: "/api/email-settings", 200),
    Row(
        "Change the email settings",
        "patch",
        lambda w: "/api/email-settings",
        200,
        body=lambda w: {"contact_policy": "everyone"},
    ),
    Row(
        "Block a sender",
        "post",
        lambda w: "/api/email-blocklist",
        201,
        body=lambda w: {"pattern": "promo@shop.example"},
    ),
    Row(
        "Unblock a sender",
        "delete",
        lambda w: f"/api/email-blocklist/{w.extra['blocked'].pk}",
        204,
        prepare=_blocked_sender,
    ),
    Row(
        "Add a Slack notification rule",
        "post",
        lambda w: "/api/slack/rules",
        201,
        body=lambda w: {
            "name": "New contacts",
            "event_type": "contact.created",
            "channel": "#sales",
            "template": "{contact_name}",
        },
    ),
    Row(
        "Change a Slack notification rule",
        "patch",
        lambda w: f"/api/slack/rules/{w.extra['rule'].pk}",
        200,
        body=lambda w: {"enabled": False},
        prepare=_rule,
    ),
    Row(
        "Delete a Slack notification rule",
        "delete",
        lambda w: f"/api/slack/rules/{w.extra['rule'].pk}",
        204,
        prepare=_rule,
    ),
    Row(
        "Change the Slack settings",
        "patch",
        lambda w: f"/api/slack/integrations/{w.extra['slack'].pk}",
        200,
        body=lambda w: {"default_channel": "C0RANDOM"},
        prepare=_slack,
        sandbox=True,
    ),
    Row(
        "Test Slack",
        "post",
        lambda w: f"/api/workspaces/{w.workspace.pk}/slack/test",
        200,
        prepare=_slack,
        sandbox=True,
    ),
    Row(
        "Enrich contacts in bulk",
        "post",
        lambda w: f"/api/workspaces/{w.workspace.pk}/apollo/bulk-enrich",
        202,
        body=lambda w: {"missing_data": True},
    ),
    # Exports are everyday CRM use: the answer here is Sheets not being connected, never a role.
    Row(
        "Export a report to Google Sheets",
        "post",
        lambda w: "/api/integrations/google-sheets/export",
        409,
        body=lambda w: {"report": "contacts"},
    ),
    Row(
        "See a Notion page of the knowledge store",
        "get",
        lambda w: f"/api/knowledge/{w.extra['page'].pk}",
        200,
        prepare=_page,
    ),
    Row("See the notes about contacts", "get", lambda w: "/api/notes", 200),
    Row(
        "Write a note about a contact",
        "post",
        lambda w: "/api/notes",
        201,
        body=lambda w: {"contact": str(w.extra["contact"].pk), "body": "Wants a demo"},
        prepare=_contact,
    ),
    Row(
        "See a contact's timeline",
        "get",
        lambda w: f"/api/contacts/{w.extra['contact'].pk}/timeline",
        200,
        prepare=_contact,
    ),
    Row(
        "See a company's timeline",
        "get",
        lambda w: f"/api/companies/{w.extra['company'].pk}/timeline",
        200,
        prepare=_company,
    ),
    Row(
        "Rename the workspace",
        "patch",
        lambda w: f"/api/workspaces/{w.workspace.pk}",
        200,
        body=lambda w: {"name": "Renamed"},
    ),
    Row(
        "See the webhook endpoints",
        "get",
        lambda w: "/api/webhook-endpoints",
        200,
        prepare=_webhook_endpoint,
    ),
    Row(
        "Register a webhook endpoint",
        "post",
        lambda w: "/api/webhook-endpoints",
        201,
        body=lambda w: {"url": CLOSED_PORT_URL, "event_types": ["deal.won"]},
    ),
    Row(
        "Change a webhook endpoint",
        "patch",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}",
        200,
        body=lambda w: {"event_types": ["*"]},
        prepare=_webhook_endpoint,
    ),
    Row(
        "Rotate a webhook endpoint's secret",
        "post",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}/rotate-secret",
        200,
        prepare=_webhook_endpoint,
    ),
    Row(
        "Disable a webhook endpoint",
        "post",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}/disable",
        200,
        prepare=_webhook_endpoint,
    ),
    Row(
        "Send a webhook endpoint a sample event",
        "post",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}/test",
        200,
        body=lambda w: {"event_type": "deal.won"},
        prepare=_webhook_endpoint,
    ),
    Row(
        "See a webhook endpoint's deliveries",
        "get",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}/deliveries",
        200,
        prepare=_webhook_endpoint,
    ),
    Row(
        "Replay a delivery",
        "post",
        lambda w: (
            f"/api/webhook-endpoints/{w.extra['endpoint'].pk}/deliveries/"
            f"{w.extra['delivery'].pk}/replay"
        ),
        202,
        prepare=_webhook_endpoint,
    ),
    Row(
        "Delete a webhook endpoint",
        "delete",
        lambda w: f"/api/webhook-endpoints/{w.extra['endpoint'].pk}",
        204,
        prepare=_webhook_endpoint,
    ),
    # Booking links: the integration owner has a calendar, a link and a booking of it.
    Row("See the booking links", "get", lambda w: "/api/booking-links", 200),
    Row(
        "Create a booking link",
        "post",
        lambda w: "/api/booking-links",
        201,
        body=lambda w: {
            "title": "Intro",
            "duration_minutes": 30,
            "members": [str(w.memberships["integration_owner"].pk)],
        },
        prepare=_calendar,
    ),
    Row(
        "Change a booking link",
        "patch",
        lambda w: f"/api/booking-links/{w.extra['link'].pk}",
        200,
        body=lambda w: {"paused": True},
        prepare=_booking,
    ),
    Row(
        "Delete a booking link",
        "delete",
        lambda w: f"/api/booking-links/{w.extra['link'].pk}",
        204,
        prepare=_booking,
    ),
    Row("See the bookings", "get", lambda w: "/api/bookings", 200),
    Row(
        "Cancel a booking",
        "post",
        lambda w: f"/api/bookings/{w.extra['booking'].pk}/cancel",
        200,
        prepare=_booking,
    ),
    # Billing and payments: Clianta's own Stripe account and the workspace's.
    Row("See the workspace's plan and billing", "get", lambda w: _billing(w), 200),
    Row(
        "Start a checkout for a plan",
        "post",
        lambda w: _billing(w) + "/checkout",
        200,
        body=lambda w: {"plan": "pro"},
        sandbox=True,
    ),
    Row(
        "Open the billing portal",
        "post",
        lambda w: _billing(w) + "/portal",
        200,
        prepare=_billing_customer,
        sandbox=True,
    ),
    Row(
        "Connect Stripe with a key",
        "post",
        lambda w: "/api/integrations/stripe/key",
        201,
        body=lambda w: {"api_key": w.extra["stripe_key"]},
        prepare=_stripe_key,
        sandbox=True,
    ),
    Row("See the payments", "get", lambda w: "/api/payments", 200),
    Row("See the invoices", "get", lambda w: "/api/invoices", 200),
    Row(
        "Invoice a deal",
        "post",
        lambda w: f"/api/deals/{w.extra['deal'].pk}/invoice",
        201,
        body=lambda w: {"memo": "Thanks"},
        prepare=_billable_deal,
        sandbox=True,
    ),
    Row(
        "Change the payments settings",
        "patch",
        lambda w: f"/api/workspaces/{w.workspace.pk}/payments/settings",
        200,
        body=lambda w: {"deal_won_on_paid": True},
        prepare=_payments_account,
        sandbox=True,
    ),
    # Salesforce: the workspace's org, synced both ways.
    Row(
        "Connect Salesforce",
        "post",
        lambda w: "/api/integrations/salesforce/connect/start",
        302,
        body=lambda w: {"workspace": str(w.workspace.pk), "login": "production"},
        browser=True,
    ),
    Row("See the Salesforce sync", "get", lambda w: "/api/salesforce", 200, prepare=_org),
    Row(
        "Change the Salesforce sync",
        "patch",
        lambda w: "/api/salesforce",
        200,
        body=lambda w: {"limit_share": 0.5},
        prepare=_org,
    ),
    Row("Sync Salesforce now", "post", lambda w: "/api/salesforce/sync", 202, prepare=_org),
    Row("See the Salesforce field mapping", "get", lambda w: _MAPPINGS, 200, prepare=_org),
    Row(
        "Map a Salesforce field",
        "post",
        lambda w: _MAPPINGS,
        201,
        body=lambda w: {
            "object": "contact",
            "local_field": "seniority",
            "remote_field": "Department",
        },
        prepare=_org,
        sandbox=True,
    ),
    Row(
        "Change a Salesforce field mapping",
        "patch",
        lambda w: f"{_MAPPINGS}/{_title_mapping(w)}",
        200,
        body=lambda w: {"direction": "from_salesforce"},
        prepare=_org,
        sandbox=True,
    ),
    Row(
        "Remove a Salesforce field mapping",
        "delete",
        lambda w: f"{_MAPPINGS}/{_title_mapping(w)}",
        204,
        prepare=_org,
        sandbox=True,
    ),
    Row("See the Salesforce conflicts", "get", lambda w: "/api/salesforce/conflicts", 200),
    Row(
        "See the records Salesforce refused",
        "get",
        lambda w: "/api/salesforce/push-errors",
        200,
    ),
    Row("See the detailed health", "get", lambda w: "/api/health/detail", 200),
]


@pytest.fixture
def world(make_user) -> World:
    workspace = Workspace.objects.create(name="Roles")
    users, memberships = {}, {}
    for person in PEOPLE:
        users[person] = make_user(person.replace("_", "-"))
        memberships[person] = Membership.objects.create(
            workspace=workspace, user=users[person], role=ROLE_OF[person]
        )
    credential = IntegrationCredential.objects.create(
        workspace=workspace,
        provider="gmail",
        account=EMAIL,
        connected_by=users["integration_owner"],
        **sandbox_tokens(EMAIL, SCOPES),
    )
    account = EmailAccount.objects.create(
        workspace=workspace, provider="gmail", email=EMAIL, credential=credential
    )
    delegation = MailboxDelegate.objects.create(
        account=account, user=users["delegate"], granted_by=users["integration_owner"]
    )
    return World(workspace, users, memberships, credential, account, delegation)


def _client(world: World, person: str, row: Row, client_for):
    if row.browser:
        browser = Client()
        browser.force_login(world.users[person])
        return browser
    return client_for(world.users[person], world.workspace)


def documented_table() -> dict[str, dict[str, bool]]:
    """SECURITY.md's roles table: action -> person -> allowed."""
    lines = (Path(__file__).parents[2] / "SECURITY.md").read_text().splitlines()
    start_at = lines.index(HEADER) + 2  # past the header and its |---| line
    table = {}
    for line in lines[start_at:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = re.sub(r" \(`.*$", "", cells[0])
        assert set(cells[1:]) <= {"✓", "✗"}, line
        table[action] = dict(zip(PEOPLE, (cell == "✓" for cell in cells[1:]), strict=True))
    return table


DOCUMENTED = documented_table()


def test_every_line_of_the_table_is_walked():
    assert [row.action for row in TABLE] == list(DOCUMENTED)


def _cases():
    for row in TABLE:
        if row.action not in DOCUMENTED:
            continue  # reported by test_every_line_of_the_table_is_walked
        # The sandbox answers from its own thread: it sees only committed rows.
        database = pytest.mark.django_db(transaction=row.sandbox)
        yield pytest.param(row, marks=database, id=row.action)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("row", list(_cases()))
def test_roles_table(row: Row, person: str, client_for, request):
    if row.sandbox:
        request.getfixturevalue("salesforce")  # the sandbox, with its https front
    world = request.getfixturevalue("world")
    if row.prepare:
        row.prepare(world)
    client = _client(world, person, row, client_for)
    path = row.path(world)
    call = getattr(client, row.method)
    if row.body is not None:
        response = call(path, row.body(world), **({} if row.browser else {"format": "json"}))
    else:
        response = call(path)
    expected = row.allowed if DOCUMENTED[row.action][person] else 403
    assert response.status_code == expected, (row.action, person, response.content[:300])
    if expected == 403 and path.startswith("/api/"):
        assert response.json()["code"] == "permission_denied"


# Who owns an integration, and the checks the table cannot show in one request.


@pytest.fixture
def member_browser(make_user, workspace_a):
    """A plain member of workspace A, logged in."""
    member = make_user("carol")
    Membership.objects.create(workspace=workspace_a, user=member, role=Role.MEMBER)
    browser = Client()
    browser.force_login(member)
    browser.user = member
    return browser


@pytest.mark.django_db(transaction=True)
def test_whoever_connects_an_account_owns_it_and_a_reconnect_keeps_the_owner(
    sandbox, member_browser, workspace_a, alice, client_for
):
    from tests.integrations.oauth_helpers import consent as google_consent

    finish(member_browser, google_consent(start(member_browser, workspace_a, "gmail")))
    credential = IntegrationCredential.objects.get(workspace=workspace_a, provider="gmail")
    assert credential.connected_by == member_browser.user

    alice_browser = Client()
    alice_browser.force_login(alice)
    finish(alice_browser, google_consent(start(alice_browser, workspace_a, "gmail")))
    credential.refresh_from_db()
    assert credential.connected_by == member_browser.user

    shown = client_for(alice).get(f"/api/integrations/{credential.pk}").json()
    assert shown["connected_by"] == {
        "id": member_browser.user.pk,
        "email": member_browser.user.email,
    }
    mailbox = client_for(alice).get("/api/email-accounts").json()["results"][0]
    assert mailbox["connected_by"]["id"] == member_browser.user.pk


@pytest.mark.django_db(transaction=True)
def test_an_admin_demoted_during_a_slack_install_connects_nothing(sandbox, make_user, workspace_a):
    admin = make_user("dave")
    membership = Membership.objects.create(workspace=workspace_a, user=admin, role=Role.ADMIN)
    browser = Client()
    browser.force_login(admin)
    callback = consent(start(browser, workspace_a, "slack"))
    membership.role = Role.MEMBER
    membership.save()

    response = finish(browser, callback)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not IntegrationCredential.objects.filter(provider="slack").exists()


def test_a_notion_token_is_owned_by_the_admin_who_connected_it(
    sandbox, api_a, alice, member_browser, client_for
):
    from sandbox.notion import store as notion_store

    secret = notion_store.integration_token("Acme wiki")
    member = client_for(member_browser.user)
    refused = member.post("/api/integrations/notion/connect", {"token": secret}, format="json")
    assert refused.status_code == 403
    assert not IntegrationCredential.objects.filter(provider="notion").exists()

    response = api_a.post("/api/integrations/notion/connect", {"token": secret}, format="json")
    assert response.status_code == 201
    assert IntegrationCredential.objects.get(provider="notion").connected_by == alice


@pytest.mark.django_db
def test_delegates_must_be_members_of_the_mailbox_workspace(
    api_a, alice, workspace_a, workspace_b, bob
):
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="smtp", account="me@acme.example", connected_by=alice
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="smtp", email="me@acme.example", credential=credential
    )
    outsider = Membership.objects.get(workspace=workspace_b, user=bob)

    response = api_a.post(
        f"/api/email-accounts/{account.pk}/delegates", {"member": str(outsider.pk)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"member": ["Delegates must be members of the workspace."]}
    assert not MailboxDelegate.objects.exists()


@pytest.mark.django_db
def test_a_mailbox_nobody_owns_sends_only_through_a_delegation_which_is_audited(
    api_a, alice, workspace_a, client_for
):
    """A mailbox connected before owners were recorded: even the workspace's owner needs a
    delegation (which they may grant themselves) to send from it."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="smtp", account="old@acme.example"
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="smtp", email="old@acme.example", credential=credential
    )
    message = {"to": ["ann@acme.example"], "subject": "Hello", "body": "Hi"}
    refused = api_a.post(f"/api/email-accounts/{account.pk}/send", message, format="json")
    assert refused.status_code == 403

    owner_membership = Membership.objects.get(workspace=workspace_a, user=alice)
    granted = api_a.post(
        f"/api/email-accounts/{account.pk}/delegates",
        {"member": str(owner_membership.pk)},
        format="json",
    )
    assert granted.status_code == 201
    assert granted.json()["user"]["id"] == alice.pk
    assert granted.json()["granted_by"]["id"] == alice.pk
    assert MailboxDelegate.objects.filter(account=account, user=alice).exists()

    removed = api_a.delete(f"/api/email-accounts/{account.pk}/delegates/{granted.json()['id']}")
    assert removed.status_code == 204
    assert list(
        AuditEvent.objects.filter(target_id=str(account.pk))
        .order_by("created_at")
        .values_list("action", "actor", "details")
    ) == [
        ("mailbox.delegated", alice.pk, {"delegate": "alice"}),
        ("mailbox.delegation_removed", alice.pk, {"delegate": "alice"}),
    ]
