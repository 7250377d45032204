"""CRM events are recorded in the transaction of the change they describe: a committed change has
its row, a rolled-back one has none, and the signal sent after the commit names the row."""

import pytest
from django.db import transaction

from clianta import events
from clianta.models import Contact, CrmEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, workspace_id, event_id, data, **kwargs):
        seen.append((sender, event_id, data))

    events.crm_event.connect(receiver, dispatch_uid="test-recorded-events")
    yield seen
    events.crm_event.disconnect(dispatch_uid="test-recorded-events")


def test_a_change_through_the_api_is_recorded_with_its_contact(
    api_a, workspace_a, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact = api_a.post("/api/contacts", {"email": "ann@acme.example"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        deal = api_a.post(
            "/api/deals", {"name": "D", "contact": contact["id"], "stage": "won"}, format="json"
        ).json()
    recorded = list(CrmEvent.objects.order_by("occurred_at", "type"))
    assert [(e.type, str(e.contact_id), e.workspace_id) for e in recorded] == [
        (events.CONTACT_CREATED, contact["id"], workspace_a.pk),
        (events.DEAL_WON, contact["id"], workspace_a.pk),
    ]
    assert recorded[1].data["deal_id"] == deal["id"]
    assert [(kind, event_id) for kind, event_id, _ in announced] == [
        (e.type, str(e.pk)) for e in recorded
    ]


def test_a_rolled_back_change_leaves_no_event_and_announces_nothing(
    workspace_a, announced, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        contact = Contact.objects.create(workspace=workspace_a, email="x@acme.example")
        events.emit(events.CONTACT_CREATED, workspace_a.pk, contact_id=str(contact.pk))
        raise RuntimeError("the change fails after the event")
    assert not CrmEvent.objects.exists()
    assert announced == []


def test_an_unknown_event_type_is_refused(workspace_a):
    with pytest.raises(ValueError):
        events.emit("contact.exploded", workspace_a.pk)
    assert not CrmEvent.objects.exists()
