"""The Slack models in the admin: rules editable, notifications and messages read-only, and no
secret on any page."""

import pytest

from messaging.slack.models import NotificationRule, SlackNotification
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client, make_user):
    return log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))


def test_admin_pages_show_the_integration_without_its_secrets(installed, staff, workspace_a):
    SlackNotification.objects.create(
        workspace=workspace_a, event_type="deal.won", channel="#celebrations", text="Won"
    )
    rule = NotificationRule.objects.get(name="Deal won")
    pages = [
        "/admin/slack/slackintegration/",
        f"/admin/slack/slackintegration/{installed.pk}/change/",
        "/admin/slack/notificationrule/",
        f"/admin/slack/notificationrule/{rule.pk}/change/",
        "/admin/slack/slacknotification/",
        "/admin/slack/slackmessage/",
    ]
    for page in pages:
        response = staff.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert installed.credential.access_token not in html
        assert installed.incoming_webhook_url not in html
    assert "****" in staff.get(pages[1]).content.decode()
    assert staff.get("/admin/slack/slacknotification/add/").status_code == 403
