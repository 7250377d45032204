"""TwiML our webhooks answer, built with the twilio SDK."""

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

# AnsweredBy values once a machine's greeting has ended (DetectMessageEnd): the moment to speak.
# https://www.twilio.com/docs/voice/answering-machine-detection
MACHINE_END = ("machine_end_beep", "machine_end_silence", "machine_end_other")


def voice_drop(audio_url: str, answered_by: str) -> str:
    """Play the audio to an answering machine; hang up on anyone (or anything) else."""
    response = VoiceResponse()
    if answered_by in MACHINE_END:
        response.play(audio_url)
    response.hangup()
    return str(response)


def empty() -> str:
    """No reply (to an inbound text message)."""
    return str(MessagingResponse())
