"""The admin as staff use it: an org's connection with its mapping, cursors and refused records,
read-only, and the action lifting a limit pause."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm_sync.models import CrmConnection, RecordLink
from tests.otp import log_in_staff

from .helpers import connect_org

pytestmark = pytest.mark.django_db(transaction=True)
CONNECTIONS = "/admin/crm_sync/crmconnection/"


@pytest.fixture
def staff_client(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    return client


def test_a_connection_shows_its_mapping_and_refused_records_read_only(
    salesforce, staff_client, workspace_a, alice
):
    connection = connect_org(workspace_a, alice)
    RecordLink.objects.create(
        connection=connection,
        object="contact",
        local_id="5d0c7a34-7f41-4a52-9ab5-4b47d4c1b6a0",
        push_error="REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (LastName)",
        push_failed_at=timezone.now(),
    )
    page = staff_client.get(f"{CONNECTIONS}{workspace_a.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "StageName" in text and "REQUIRED_FIELD_MISSING" in text
    assert 'name="mappings-0-remote_field"' not in text  # shown, not editable
    for prefix in ("mappings", "cursors", "links"):  # none can be added
        assert f'name="{prefix}-MAX_NUM_FORMS" value="0"' in text


def test_resume_lifts_a_limit_pause(salesforce, staff_client, workspace_a, alice):
    connect_org(workspace_a, alice)
    CrmConnection.objects.update(paused_until=timezone.now() + timedelta(hours=1))
    answer = staff_client.post(
        CONNECTIONS, {"action": "resume", "_selected_action": [str(workspace_a.pk)]}, follow=True
    )
    assert answer.status_code == 200
    assert CrmConnection.objects.get().paused_until is None
