"""Twilio's Celery tasks: thin, they take ids and call services."""

from celery import shared_task

from integrations import webhooks as framework
from integrations.errors import Transient

from . import services, voice_drops
from .webhooks import TASK_NAME

#: The handler of each kind of webhook delivery (TwilioWebhookView.kind).
HANDLERS = {
    "sms.status": services.apply_status,
    "sms.inbound": services.receive_sms,
    "call.status": voice_drops.apply_call_status,
    "recording": voice_drops.store_recording,
}
RETRY = {"autoretry_for": (Transient,), "retry_backoff": True, "max_retries": 6, "acks_late": True}


def handle(delivery) -> None:
    HANDLERS[delivery.event_type](delivery.payload)


@shared_task(name=TASK_NAME, **RETRY)
def process_delivery(delivery_pk: str) -> str:
    return f"{framework.process_delivery(delivery_pk, handle)} {delivery_pk}"


@shared_task(name=voice_drops.START_TASK, **RETRY)
def start_voice_drop(drop_id: str) -> int:
    return voice_drops.start(drop_id)


@shared_task(name=voice_drops.PLACE_TASK, **RETRY)
def place_voice_drop_call(call_pk: int) -> None:
    voice_drops.place_call(call_pk)
