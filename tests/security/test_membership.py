"""Attack table, membership: joining a workspace takes the invitee's consent, and an OAuth
connect link cannot put someone's account into a workspace they did not knowingly choose.

M1 a registered user cannot be added without their consent; M2 inviting answers the same for a
registered, an unregistered and a member's address; M3 the emailed link expires, works once,
refuses a tampered token and anyone but the invited address; M4 a user removed from the
workspace during the OAuth flow connects nothing; M5 a connect link names the workspace and
needs a click; M6 the settings page never shows text from ``?error=``."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clianta.models import Invitation, Membership, Workspace
from integrations.models import IntegrationCredential, OAuthState
from tests.integrations.oauth_helpers import consent, finish, start, token_calls

pytestmark = pytest.mark.django_db


def invite(api, workspace, email, role="member"):
    return api.post(
        f"/api/workspaces/{workspace.pk}/members", {"email": email, "role": role}, format="json"
    )


def emailed_link(mailoutbox) -> str:
    """The path of the invitation link in the last email sent."""
    return re.search(r"https?://[^/\s]+(/invitations/\S+)", mailoutbox[-1].body).group(1)


def browser_of(user, **kwargs) -> Client:
    browser = Client(**kwargs)
    browser.force_login(user)
    return browser


def test_m1_a_registered_user_is_not_added_without_their_consent(
    api_b, workspace_b, alice, workspace_a, client_for
):
    """The attacker (bob) invites alice as an owner of his workspace: she is not a member
    until she accepts, and never sees his workspace before."""
    response = invite(api_b, workspace_b, alice.email, role="owner")
    assert response.status_code == 202, response.content
    assert not Membership.objects.filter(workspace=workspace_b, user=alice).exists()
    listed = client_for(alice).get("/api/workspaces").json()["results"]
    assert [w["id"] for w in listed] == [str(workspace_a.pk)]
    assert client_for(alice).get(f"/api/workspaces/{workspace_b.pk}").status_code == 404


def test_m2_the_answer_is_the_same_for_any_address(api_a, workspace_a, bob, alice, make_user):
    member = make_user("member-one")
    Membership.objects.create(workspace=workspace_a, user=member)
    answers = [
        invite(api_a, workspace_a, email)
        for email in (bob.email, "nobody-here@example.com", member.email, alice.email)
    ]
    assert {a.status_code for a in answers} == {202}

    def shape(body):
        return {
            k: v for k, v in body.items() if k not in ("id", "email", "created_at", "expires_at")
        }

    shapes = [shape(a.json()) for a in answers]
    assert all(s == shapes[0] for s in shapes), shapes
    assert shapes[0]["status"] == "pending"


@pytest.fixture
def invited(api_b, workspace_b, alice, mailoutbox):
    """Bob invites alice to his workspace; the link of the email."""
    assert invite(api_b, workspace_b, alice.email).status_code == 202
    return emailed_link(mailoutbox)


def joined(alice, workspace_b) -> bool:
    return Membership.objects.filter(workspace=workspace_b, user=alice).exists()


def test_m3_the_link_makes_a_member_only_on_accept_by_the_invited_address(
    invited, alice, workspace_b
):
    browser = browser_of(alice)
    page = browser.get(invited)
    assert page.status_code == 200
    assert workspace_b.name in page.content.decode()
    assert not joined(alice, workspace_b)  # opening the link is not consenting
    accepted = browser.post(invited, {"decision": "accept"})
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/settings/integrations?workspace={workspace_b.pk}"
    assert joined(alice, workspace_b)


def test_m3_the_link_works_once(invited, alice, workspace_b):
    browser = browser_of(alice)
    assert browser.post(invited, {"decision": "accept"}).status_code == 302
    Membership.objects.filter(workspace=workspace_b, user=alice).delete()
    again = browser.post(invited, {"decision": "accept"})
    assert again.status_code == 403
    assert "already used" in again.content.decode()
    assert not joined(alice, workspace_b)


def test_m3_an_expired_link_joins_nothing(invited, alice, workspace_b):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = browser_of(alice).post(invited, {"decision": "accept"})
    assert answer.status_code == 403
    assert "expired" in answer.content.decode()
    assert not joined(alice, workspace_b)
    assert Invitation.objects.get().accepted_at is None


def test_m3_a_tampered_link_joins_nothing(invited, alice, workspace_b):
    token = invited.rsplit("/", 1)[1]
    for forged in (token[:-4] + "AAAA", token[:10], "x"):
        answer = browser_of(alice).post(f"/invitations/{forged}", {"decision": "accept"})
        assert answer.status_code == 404
        assert "not valid" in answer.content.decode()
    assert not joined(alice, workspace_b)


def test_m3_another_user_with_the_link_joins_nothing_and_learns_nothing(
    invited, make_user, workspace_b, alice
):
    mallory = make_user("mallory")
    browser = browser_of(mallory)
    for answer in (browser.get(invited), browser.post(invited, {"decision": "accept"})):
        assert answer.status_code == 403
        page = answer.content.decode()
        assert "sent to another email address" in page
        assert workspace_b.name not in page and alice.email not in page
    assert not Membership.objects.filter(workspace=workspace_b, user=mallory).exists()
    assert Invitation.objects.get().status == "pending"


def test_m3_accepting_needs_a_login_and_the_csrf_token(invited, alice, workspace_b):
    anonymous = Client().post(invited, {"decision": "accept"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    forged = browser_of(alice, enforce_csrf_checks=True).post(invited, {"decision": "accept"})
    assert forged.status_code == 403
    assert not joined(alice, workspace_b)


def test_m3_a_new_invitation_replaces_the_old_link(invited, api_b, workspace_b, alice, mailoutbox):
    assert invite(api_b, workspace_b, alice.email, role="admin").status_code == 202
    assert Invitation.objects.count() == 1
    browser = browser_of(alice)
    assert browser.post(invited, {"decision": "accept"}).status_code == 404
    assert browser.post(emailed_link(mailoutbox), {"decision": "accept"}).status_code == 302
    assert Membership.objects.get(workspace=workspace_b, user=alice).role == "admin"


@pytest.mark.django_db(transaction=True)
def test_m4_a_user_removed_during_the_oauth_flow_connects_nothing(sandbox, workspace_a, make_user):
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace_a, user=carol)
    browser = browser_of(carol)
    callback = consent(start(browser, workspace_a))
    Membership.objects.filter(workspace=workspace_a, user=carol).delete()
    before = token_calls()

    answer = finish(browser, callback)

    assert answer.status_code == 403
    assert "no longer a member" in answer.content.decode()
    assert not IntegrationCredential.objects.exists()
    assert token_calls() == before


def test_m5_a_connect_link_names_the_workspace_and_needs_a_click(alice, workspace_a, bob):
    """Alice belongs to bob's workspace too (she accepted an invitation once); a link bob sends
    her to connect Gmail there shows which workspace it is and starts nothing by itself."""
    bobs = Workspace.objects.create(name="Bob's trap")
    Membership.objects.create(workspace=bobs, user=bob, role="owner")
    Membership.objects.create(workspace=bobs, user=alice)
    browser = browser_of(alice, enforce_csrf_checks=True)

    page = browser.get("/api/integrations/gmail/connect", {"workspace": str(bobs.pk)})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Connect Gmail to workspace Bob&#x27;s trap as alice" in html
    assert not OAuthState.objects.exists()
    start_url = "/api/integrations/gmail/connect/start"
    assert browser.get(start_url, {"workspace": str(bobs.pk)}).status_code == 405
    assert browser.post(start_url, {"workspace": str(bobs.pk)}).status_code == 403  # no CSRF
    assert not OAuthState.objects.exists()


def test_m6_the_settings_page_shows_no_text_from_the_query_string(alice, workspace_a):
    browser = browser_of(alice)
    lure = "Your mailbox is locked. Call +1 555 0100 to unlock it"
    page = browser.get("/settings/integrations", {"provider": "gmail", "error": lure})
    assert page.status_code == 200
    assert "mailbox is locked" not in page.content.decode()
    known = browser.get("/settings/integrations", {"provider": "gmail", "error": "access_denied"})
    assert "You declined the request" in known.content.decode()


def test_m6_the_settings_page_names_its_workspace_in_the_heading(alice, workspace_a):
    html = browser_of(alice).get("/settings/integrations").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert workspace_a.name in heading
