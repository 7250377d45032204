"""Voice drops: calls placed with answering-machine detection that leave a recorded message on
machines and hang up on people; and the call recordings Twilio reports.

Flow: :func:`create` stores the campaign and one VoiceDropCall per number (opted-out numbers are
skipped at once) and queues ``twilio.start_voice_drop`` for its time; that task queues one
``twilio.place_voice_drop_call`` per call; Twilio then fetches our TwiML (``twiml.voice_drop``)
and posts each call's outcome to the call status webhook (:func:`apply_call_status`).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from clianta import celery_app, events
from clianta.models import Contact, Workspace
from integrations.errors import IntegrationError, Transient
from integrations.providers.twilio.errors import OptedOut

from . import numbers, services
from .models import CallRecording, VoiceDrop, VoiceDropCall

logger = logging.getLogger("integrations.twilio")
Outcome = VoiceDropCall.Outcome
START_TASK = "twilio.start_voice_drop"
PLACE_TASK = "twilio.place_voice_drop_call"
# Call statuses that end a call (twilio/rest/api/v2010/account/call/__init__.py).
FINAL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}


def create(
    workspace: Workspace,
    audio_url: str,
    targets: dict[str, Contact | None],
    scheduled_at=None,
    record: bool = False,
) -> VoiceDrop:
    """A campaign calling ``targets`` ({E.164 number: contact or None}) at ``scheduled_at``
    (None: now)."""
    with transaction.atomic():
        drop = VoiceDrop.objects.create(
            workspace=workspace, audio_url=audio_url, scheduled_at=scheduled_at, record=record
        )
        VoiceDropCall.objects.bulk_create(
            VoiceDropCall(
                voice_drop=drop,
                contact=contact,
                to_number=number,
                outcome=(
                    Outcome.SKIPPED
                    if services.is_opted_out(workspace.pk, number)
                    else Outcome.PENDING
                ),
            )
            for number, contact in targets.items()
        )
        transaction.on_commit(
            partial(celery_app.send_task, START_TASK, args=[str(drop.pk)], eta=scheduled_at)
        )
    return drop


def start(drop_id) -> int:
    """Queue a task per pending call of a scheduled drop; how many were queued."""
    if not VoiceDrop.objects.filter(pk=drop_id, status=VoiceDrop.Status.SCHEDULED).update(
        status=VoiceDrop.Status.RUNNING, started_at=timezone.now()
    ):
        return 0  # already started (a redelivered task)
    pending = list(
        VoiceDropCall.objects.filter(voice_drop_id=drop_id, outcome=Outcome.PENDING).values_list(
            "pk", flat=True
        )
    )
    for call_pk in pending:
        celery_app.send_task(PLACE_TASK, args=[call_pk])
    finish_if_done(drop_id)
    return len(pending)


def place_call(call_pk) -> None:
    """Place one call (once: a redelivered task finds it claimed). Transient errors put it back
    to pending and are raised for the task to retry; others mark it failed."""
    if not VoiceDropCall.objects.filter(pk=call_pk, outcome=Outcome.PENDING).update(
        outcome=Outcome.CALLING
    ):
        return
    call = VoiceDropCall.objects.select_related("voice_drop").get(pk=call_pk)
    drop = call.voice_drop
    try:
        services.refuse_opted_out(drop.workspace_id, call.to_number)
        account = services.account_for(drop.workspace_id)
        placed = account.create(
            "calls",
            to=call.to_number,
            from_=account.phone_number,
            url=services.callback_url("twilio-voice-drop-twiml", drop_id=drop.pk),
            machine_detection="DetectMessageEnd",
            status_callback=services.callback_url("twilio-call-status"),
            record=drop.record,
            recording_status_callback=services.callback_url("twilio-recording"),
        )
    except OptedOut:
        _finish_call(call_pk, outcome=Outcome.SKIPPED)
        return
    except Transient:
        VoiceDropCall.objects.filter(pk=call_pk).update(outcome=Outcome.PENDING)
        raise
    except IntegrationError as exc:
        _finish_call(call_pk, outcome=Outcome.FAILED, error=exc.message[:500])
        return
    VoiceDropCall.objects.filter(pk=call_pk).update(
        sid=placed.sid, call_status=placed.status, from_number=account.phone_number
    )
    logger.info("twilio.call_placed", extra={"sid": placed.sid, "voice_drop": str(drop.pk)})


def apply_call_status(params: dict) -> None:
    """A call status callback: the call's status, and once it ends, its outcome. Raises
    Transient while the call's sid is not stored yet; ignored unless the callback's account
    owns the number the call was placed from, for the drop's workspace."""
    sid, status = params.get("CallSid", ""), params.get("CallStatus", "")
    call = VoiceDropCall.objects.select_related("voice_drop").filter(sid=sid).first()
    if call is None:
        raise Transient(f"Call {sid} is not stored yet.", provider=services.PROVIDER)
    if not _owned(call, params):
        logger.warning("twilio.call_status_not_owned", extra={"sid": sid})
        return
    answered_by = params.get("AnsweredBy", "")[:20]
    if status not in FINAL_STATUSES:
        VoiceDropCall.objects.filter(pk=call.pk, outcome=Outcome.CALLING).update(call_status=status)
        return
    duration = params.get("CallDuration", "")
    _finish_call(
        call.pk,
        outcome=_outcome(status, answered_by),
        call_status=status,
        answered_by=answered_by,
        duration=int(duration) if duration.isdigit() else None,
    )


def _owned(call: VoiceDropCall, params: dict) -> bool:
    account_sid = params.get("AccountSid", "")
    return numbers.owns(call.voice_drop.workspace_id, account_sid, call.from_number)


def _outcome(status: str, answered_by: str) -> str:
    if status != "completed":
        return status  # busy, no-answer, failed, canceled: outcomes of the same name
    if answered_by.startswith("machine_end"):
        return Outcome.VOICEMAIL
    return Outcome.HUMAN if answered_by == "human" else Outcome.UNKNOWN


def _finish_call(call_pk, *, outcome: str, **fields) -> None:
    """Set a call's outcome once; the drop completes with its last call. A call that was placed
    and ended is a CRM event."""
    with transaction.atomic():
        call = VoiceDropCall.objects.filter(pk=call_pk).exclude(outcome__in=VoiceDropCall.FINISHED)
        if not call.update(outcome=outcome, updated_at=timezone.now(), **fields):
            return
        call = VoiceDropCall.objects.select_related("voice_drop").get(pk=call_pk)
        if call.sid:
            events.emit(
                events.CALL_COMPLETED,
                str(call.voice_drop.workspace_id),
                contact_id=str(call.contact_id) if call.contact_id else None,
                voice_drop_id=str(call.voice_drop_id),
                call_sid=call.sid,
                to_number=call.to_number,
                status=call.call_status,
                outcome=call.outcome,
                answered_by=call.answered_by,
                duration=call.duration,
            )
    finish_if_done(call.voice_drop_id)


def finish_if_done(drop_id) -> None:
    """Complete the drop once none of its calls is left. The drop's row is locked before
    looking: of two calls ending at once in two transactions, the one that looks second waits
    for the first to commit and so sees its outcome."""
    with transaction.atomic():
        VoiceDrop.objects.select_for_update().filter(pk=drop_id).first()
        calls = VoiceDropCall.objects.filter(voice_drop_id=drop_id)
        if calls.exclude(outcome__in=VoiceDropCall.FINISHED).exists():
            return
        VoiceDrop.objects.filter(pk=drop_id, status=VoiceDrop.Status.RUNNING).update(
            status=VoiceDrop.Status.COMPLETED, finished_at=timezone.now()
        )


def progress(drop: VoiceDrop) -> dict[str, int]:
    """How many of the drop's calls have each outcome."""
    counts = {outcome: 0 for outcome in Outcome.values}
    for call in drop.calls.all():
        counts[call.outcome] += 1
    return counts


def store_recording(params: dict) -> CallRecording | None:
    """A recording status callback: the recording stored once (by RecordingSid), linked to the
    voice drop call and its contact. None (nothing stored) for a call we did not place, or a
    callback whose account does not own the number the call was placed from."""
    call_sid = params.get("CallSid", "")
    call = VoiceDropCall.objects.select_related("voice_drop").filter(sid=call_sid).first()
    if call is None or not _owned(call, params):
        logger.warning("twilio.recording_unclaimed", extra={"call_sid": call_sid})
        return None
    workspace_id = call.voice_drop.workspace_id
    duration = params.get("RecordingDuration", "")
    recording, _ = CallRecording.objects.update_or_create(
        recording_sid=params["RecordingSid"],
        defaults={
            "workspace_id": workspace_id,
            "call_sid": call_sid,
            "url": params.get("RecordingUrl", ""),
            "duration": int(duration) if duration.isdigit() else None,
            "status": params.get("RecordingStatus", "")[:12],
            "contact_id": call.contact_id,
            "voice_drop_call": call,
        },
    )
    logger.info("twilio.recording_stored", extra={"recording_sid": recording.recording_sid})
    return recording
