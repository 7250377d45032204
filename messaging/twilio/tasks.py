"""Twilio's Celery tasks: thin, they take ids and call services. Webhook deliveries are processed
by the framework's task (webhooks.process, registered in apps.py)."""

from celery import shared_task

from integrations.errors import Transient

from . import voice_drops

RETRY = {"autoretry_for": (Transient,), "retry_backoff": True, "max_retries": 6, "acks_late": True}


@shared_task(name=voice_drops.START_TASK, **RETRY)
def start_voice_drop(drop_id: str) -> int:
    return voice_drops.start(drop_id)


@shared_task(name=voice_drops.PLACE_TASK, **RETRY)
def place_voice_drop_call(call_pk: int) -> None:
    voice_drops.place_call(call_pk)
