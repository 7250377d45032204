"""The events an endpoint can receive, with a sample of each event's ``data`` (sent by the test
action, shown in the README)."""

from clianta import events

CONTACT = "0b5e8c1e-3f57-4a8e-9a51-5c1d2a7e4f10"
DEAL = "7d2f5a9c-1b3e-4c6d-8e0f-2a4b6c8d0e1f"

SAMPLES: dict[str, dict] = {
    events.CONTACT_CREATED: {
        "contact_id": CONTACT,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
    },
    events.DEAL_STAGE_CHANGED: {
        "deal_id": DEAL,
        "contact_id": CONTACT,
        "stage": "proposal",
        "previous_stage": "qualified",
    },
    events.DEAL_WON: {
        "deal_id": DEAL,
        "contact_id": CONTACT,
        "stage": "won",
        "previous_stage": "negotiation",
    },
    events.EMAIL_RECEIVED: {
        "contact_id": CONTACT,
        "message_id": "5f0c3a52-8d3b-4a52-b1a4-0c9e6f7d2b11",
        "from_address": "ada@example.com",
        "subject": "Re: our proposal",
    },
    events.EMAIL_SENT: {
        "contact_id": CONTACT,
        "message_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
        "to": ["ada@example.com"],
        "subject": "Our proposal",
    },
    events.SMS_RECEIVED: {
        "contact_id": CONTACT,
        "phone": "+14155550123",
        "body": "Yes, Tuesday works.",
    },
    events.SMS_STATUS_CHANGED: {
        "contact_id": CONTACT,
        "message_id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
        "sid": "SM0123456789abcdef0123456789abcdef",
        "status": "delivered",
        "previous_status": "sent",
        "error_code": None,
    },
    events.CALL_COMPLETED: {
        "contact_id": CONTACT,
        "voice_drop_id": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b",
        "call_sid": "CA0123456789abcdef0123456789abcdef",
        "to_number": "+14155550123",
        "status": "completed",
        "outcome": "voicemail",
        "answered_by": "machine_end_beep",
        "duration": 31,
    },
    events.MEETING_SCHEDULED: {
        "contact_id": CONTACT,
        "event_id": "1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b",
        "title": "Demo",
        "starts_at": "2026-12-08T15:00:00Z",
        "attendees": ["ada@example.com"],
    },
    events.INTEGRATION_NEEDS_RECONNECT: {
        "integration_id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        "provider": "gmail",
        "account": "sales@example.com",
        "error": "The grant was revoked: connect the account again.",
    },
    events.SYNC_FAILED: {
        "integration_id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        "provider": "gmail",
        "sync_log_id": "8b9c0d1e-2f3a-4b4c-8d5e-6f7a8b9c0d1e",
        "error": "Gmail answered 500 three times.",
    },
}
