"""Voice drops through the twilio SDK against the sandbox: answering-machine detection, audio
played to machines only, outcomes recorded, opted-out numbers skipped; call recordings."""

from datetime import timedelta

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from clianta.models import Contact, CrmEvent
from messaging.twilio import voice_drops
from messaging.twilio.models import CallRecording, SmsOptOut, VoiceDrop
from sandbox import faults
from sandbox.twilio.models import TwilioCall
from tests.conftest import in_parallel, wait_for
from tests.otp import log_in_staff

from .conftest import OUR_NUMBER, post_form, post_signed

AUDIO = "https://cdn.example.com/drops/spring-offer.mp3"
# The sandbox answers by the number's last digit: 0 machine, 4 person, 6 busy, 7 no answer.
MACHINE, HUMAN, BUSY, NO_ANSWER = "+14155550100", "+14155550104", "+14155550106", "+14155550107"


def finished(drop_id):
    drop = VoiceDrop.objects.get(pk=drop_id)
    return drop if drop.status == VoiceDrop.Status.COMPLETED else None


@pytest.mark.django_db(transaction=True)
def test_a_voice_drop_to_mixed_numbers_leaves_the_audio_on_machines_only(
    sandbox, celery_worker, api_a, workspace_a, credential
):
    """Calls are placed with DetectMessageEnd; the sandbox fetches our TwiML with AnsweredBy:
    the machine gets the audio, the person is hung up on, busy and no-answer are recorded, the
    opted-out contact is skipped and never called. Progress shows in the API."""
    machine = Contact.objects.create(workspace=workspace_a, first_name="Vm", phone=MACHINE)
    opted_out = Contact.objects.create(workspace=workspace_a, first_name="No", phone="4155550105")
    SmsOptOut.objects.create(workspace=workspace_a, phone="+14155550105")
    response = api_a.post(
        "/api/voice-drops",
        {
            "audio_url": AUDIO,
            "contacts": [str(machine.pk), str(opted_out.pk)],
            "numbers": [HUMAN, "(415) 555-0106", NO_ANSWER],
        },
        format="json",
        HTTP_X_WORKSPACE=str(workspace_a.pk),
    )
    assert response.status_code == 201, response.json()
    drop_id = response.json()["id"]
    wait_for(lambda: finished(drop_id))

    body = api_a.get(f"/api/voice-drops/{drop_id}").json()
    assert body["status"] == "completed"
    progress = {k: v for k, v in body["progress"].items() if v}
    assert progress == {"voicemail": 1, "human": 1, "busy": 1, "no-answer": 1, "skipped": 1}
    outcomes = {call["to_number"]: call for call in body["calls"]}
    assert outcomes[MACHINE]["outcome"] == "voicemail"
    assert outcomes[MACHINE]["answered_by"] == "machine_end_beep"
    assert outcomes[MACHINE]["contact"] == str(machine.pk)
    # Every call placed is a CRM event once it ends; the skipped number was never called.
    completed = {e.data["to_number"]: e for e in CrmEvent.objects.filter(type="call.completed")}
    assert len(completed) == 4 and "+14155550105" not in completed
    assert completed[MACHINE].contact_id == machine.pk
    assert completed[MACHINE].data["outcome"] == "voicemail"
    assert outcomes[HUMAN]["outcome"] == "human"
    assert outcomes[BUSY]["outcome"] == "busy"
    assert outcomes[NO_ANSWER]["outcome"] == "no-answer"
    assert outcomes["+14155550105"]["outcome"] == "skipped"

    calls = {call.to: call for call in TwilioCall.objects.all()}
    assert set(calls) == {MACHINE, HUMAN, BUSY, NO_ANSWER}
    assert all(call.machine_detection == "DetectMessageEnd" for call in calls.values())
    assert all(call.from_number == OUR_NUMBER for call in calls.values())
    assert calls[MACHINE].played == [AUDIO]
    assert calls[HUMAN].played == []
    assert "<Hangup" in calls[HUMAN].twiml


@pytest.mark.django_db(transaction=True)
def test_a_recorded_call_reports_its_recording_linked_to_the_contact(
    sandbox, celery_worker, api_a, workspace_a, credential
):
    """A recorded voice drop call: the sandbox posts the recording status callback; the
    recording's URL, duration and call are stored, linked to the call's contact. A recording
    triggered later through the sandbox's control API is stored too."""
    contact = Contact.objects.create(workspace=workspace_a, first_name="Vm", phone=MACHINE)
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": AUDIO, "contacts": [str(contact.pk)], "record": True},
        format="json",
    )
    assert response.status_code == 201
    recording = wait_for(lambda: CallRecording.objects.filter(contact=contact).first())
    call = TwilioCall.objects.get(to=MACHINE)
    assert recording.call_sid == call.sid
    assert recording.duration == call.duration
    assert recording.url.endswith(f"/Recordings/{recording.recording_sid}")
    assert recording.workspace_id == workspace_a.pk

    triggered = requests.post(
        f"{sandbox.url}/twilio/_recordings", json={"call_sid": call.sid, "duration": 42}, timeout=10
    ).json()
    assert triggered["status"] == 200
    later = wait_for(lambda: CallRecording.objects.filter(recording_sid=triggered["sid"]).first())
    assert (later.duration, later.contact_id, later.call_sid) == (42, contact.pk, call.sid)

    listed = api_a.get(f"/api/call-recordings?contact={contact.pk}").json()["results"]
    assert {r["recording_sid"] for r in listed} == {recording.recording_sid, triggered["sid"]}


@pytest.mark.django_db
def test_a_voice_drop_needs_a_valid_number_for_every_target(api_a, workspace_a):
    no_phone = Contact.objects.create(workspace=workspace_a, first_name="Np")
    response = api_a.post(
        "/api/voice-drops", {"audio_url": AUDIO, "contacts": [str(no_phone.pk)]}, format="json"
    )
    assert response.status_code == 400
    assert "contacts" in response.json()["fields"]
    response = api_a.post(
        "/api/voice-drops", {"audio_url": AUDIO, "numbers": ["not a number"]}, format="json"
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["numbers"])
    assert not VoiceDrop.objects.exists()


@pytest.mark.django_db
def test_another_workspaces_contact_cannot_be_called(api_a, workspace_b):
    """T1: a contact id of workspace B reads as one that does not exist."""
    theirs = Contact.objects.create(workspace=workspace_b, first_name="B", phone=MACHINE)
    response = api_a.post(
        "/api/voice-drops", {"audio_url": AUDIO, "contacts": [str(theirs.pk)]}, format="json"
    )
    assert response.status_code == 400
    assert not VoiceDrop.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answered_by", "plays"),
    [
        ("machine_end_beep", True),
        ("machine_end_silence", True),
        ("human", False),
        ("machine_start", False),
        ("unknown", False),
    ],
)
def test_the_twiml_plays_the_audio_only_once_a_machines_greeting_ended(
    client, public_url, credential, workspace_a, answered_by, plays
):
    drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url=AUDIO)
    path = f"/api/webhooks/twilio/voice-drops/{drop.pk}/twiml"
    params = {
        "CallSid": "CA" + "1" * 32,
        "AccountSid": credential.account,
        "From": OUR_NUMBER,
        "AnsweredBy": answered_by,
    }
    response = post_signed(client, path, params, credential.api_key)
    assert response.status_code == 200
    assert (f"<Play>{AUDIO}</Play>" in response.content.decode()) is plays
    assert "<Hangup />" in response.content.decode()


@pytest.mark.django_db
def test_the_twiml_endpoint_refuses_an_unsigned_request(
    client, public_url, credential, workspace_a
):
    drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url=AUDIO)
    path = f"/api/webhooks/twilio/voice-drops/{drop.pk}/twiml"
    params = {"CallSid": "CA" + "1" * 32, "AccountSid": credential.account, "AnsweredBy": "human"}
    response = post_form(client, path, params, signature="forged")
    assert response.status_code == 403
    assert AUDIO not in response.content.decode()


@pytest.mark.django_db
def test_the_admin_shows_a_voice_drops_progress(client, make_user, workspace_a):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url=AUDIO, status="running")
    drop.calls.create(to_number=MACHINE, outcome="voicemail")
    drop.calls.create(to_number=HUMAN, outcome="human")
    drop.calls.create(to_number=BUSY, outcome="pending")
    listing = client.get("/admin/twilio/voicedrop/").content.decode()
    assert "2 / 3" in listing
    page = client.get(f"/admin/twilio/voicedrop/{drop.pk}/change/").content.decode()
    assert "pending: 1, voicemail: 1, human: 1" in page
    assert MACHINE in page and HUMAN in page


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_voice_drop_starts_at_its_time(
    sandbox, celery_worker, api_a, workspace_a, credential
):
    """Nothing is called before ``scheduled_at``; the drop then runs to completion."""
    at = timezone.now() + timedelta(seconds=3)
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": AUDIO, "numbers": [MACHINE], "scheduled_at": at.isoformat()},
        format="json",
    )
    assert (response.status_code, response.json()["status"]) == (201, "scheduled")
    drop = wait_for(lambda: finished(response.json()["id"]))
    assert drop.started_at >= at
    assert TwilioCall.objects.get().created_at >= at


@pytest.mark.django_db(transaction=True)
def test_a_call_twilio_could_not_take_is_retried_and_placed_once(
    sandbox, celery_worker, api_a, workspace_a, credential
):
    """Twilio answering 500 once: the call goes back to pending, the task retries and the
    call is placed once."""
    faults.inject("twilio", r"/Calls\.json$", status=500, times=1)
    response = api_a.post(
        "/api/voice-drops", {"audio_url": AUDIO, "numbers": [HUMAN]}, format="json"
    )
    drop = wait_for(lambda: finished(response.json()["id"]))
    assert drop.calls.get().outcome == "human"
    assert [call.status for call in faults.calls("twilio", "/Calls.json")] == [500, 201]
    assert TwilioCall.objects.count() == 1


@pytest.mark.django_db
def test_a_number_that_opted_out_after_the_drop_was_made_is_skipped_not_called(
    workspace_a, credential
):
    drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url=AUDIO, status="running")
    call = drop.calls.create(to_number=MACHINE)
    SmsOptOut.objects.create(workspace=workspace_a, phone=MACHINE)
    faults.clear_calls("twilio")
    voice_drops.place_call(call.pk)
    call.refresh_from_db()
    assert (call.outcome, call.sid) == ("skipped", None)
    assert faults.calls("twilio").count() == 0
    assert VoiceDrop.objects.get(pk=drop.pk).status == "completed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_two_calls_ending_at_once_complete_the_drop(workspace_a, credential):
    """Two call outcomes committed at the same moment (two workers): the drop still completes,
    whichever commits last seeing the other's outcome."""
    for attempt in range(10):
        drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url=AUDIO, status="running")
        sids = [f"CA{attempt:02d}{n}" + "0" * 29 for n in range(2)]
        for n, sid in enumerate(sids):
            drop.calls.create(
                to_number=f"+1415555010{n}", from_number=OUR_NUMBER, sid=sid, outcome="calling"
            )
        ended = iter(sids)

        def end_one(ended=ended):
            params = {
                "CallSid": next(ended),
                "CallStatus": "busy",
                "AccountSid": credential.account,
            }
            with transaction.atomic():
                voice_drops.apply_call_status(params)

        in_parallel(end_one)
        assert VoiceDrop.objects.get(pk=drop.pk).status == "completed", attempt
