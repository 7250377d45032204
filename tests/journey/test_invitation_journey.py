"""The invitation journey in headless Chromium: alice invites carol to her workspace; carol,
who also has a workspace of her own, opens the emailed link, logs in, sees which workspace and
role she is invited to, accepts, and connects her Gmail (sandbox) into the workspace the page
names. Screenshots in test-artifacts/ (journey-invite-*.png)."""

import re

import pytest

from clianta.models import Membership
from integrations.models import IntegrationCredential
from tests.browser import PASSWORD, api, log_in_and_open_settings, shot

pytestmark = pytest.mark.django_db(transaction=True)
CAROL = "carol@clianta.example"


def step(page, name):
    shot(page, f"journey-invite-{name}")


def test_an_invited_user_joins_and_connects_gmail_into_the_named_workspace(
    page, live_server, workspace_a, make_user, make_workspace, mailoutbox
):
    carol = make_user("carol", email=CAROL)
    carol.set_password(PASSWORD)
    carol.save()
    carols_own = make_workspace(carol, "Carol's own")

    # Alice invites carol from the front end.
    log_in_and_open_settings(page, live_server.url)
    sent = api(
        page,
        "POST",
        f"/api/workspaces/{workspace_a.pk}/members",
        {"email": CAROL, "role": "member"},
    )
    assert sent["status"] == 202, sent
    assert not Membership.objects.filter(workspace=workspace_a, user=carol).exists()
    (email,) = mailoutbox
    link = re.search(r"https?://\S+/invitations/\S+", email.body).group(0)
    path = link.split("/invitations/", 1)[1]

    # Carol opens the link, logs in and lands on the invitation.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/invitations/{path}")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/invitations/*")
    assert page.inner_text("h1") == "Join Workspace A"
    assert "alice invited you" in page.inner_text("main")
    step(page, "1-invitation")

    page.get_by_role("button", name="Accept and join Workspace A").click()
    page.wait_for_url(f"**/settings/integrations?workspace={workspace_a.pk}")
    assert "Workspace A" in page.inner_text("h1")
    assert "You joined Workspace A as Member." in page.inner_text("[role=status]")
    assert Membership.objects.get(workspace=workspace_a, user=carol).role == "member"
    step(page, "2-joined")

    # She connects her Gmail from the page that names Workspace A.
    page.locator("section[data-provider=gmail]").get_by_role(
        "button", name="Connect", exact=True
    ).click()
    page.wait_for_selector("text=Sign in with Google")
    page.fill("input[name=email]", CAROL)
    step(page, "3-google-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/settings/integrations?provider=gmail&success=true")
    assert "Workspace A" in page.inner_text("h1")
    assert "Gmail connected." in page.inner_text("[role=status]")
    card = page.locator("section[data-provider=gmail]")
    assert f"Connected as {CAROL}" in card.inner_text()
    step(page, "4-gmail-connected")
    credential = IntegrationCredential.objects.get(provider="gmail")
    assert (credential.workspace_id, credential.account) == (workspace_a.pk, CAROL)
    assert not IntegrationCredential.objects.filter(workspace=carols_own).exists()
