"""Twilio failures the API answers as a client's mistake (part of integrations.errors' tree)."""

from integrations.errors import ConfigurationError, IntegrationError


class InvalidPhoneNumber(IntegrationError):
    """Not a phone number we can text or call (ours: phonenumbers; Twilio's: error 21211)."""

    status_code = 400
    code = "invalid_phone_number"


class OptedOut(IntegrationError):
    """The recipient answered STOP: nothing is sent to it until it answers START (Twilio refuses
    with error 21610 too)."""

    status_code = 409
    code = "recipient_opted_out"


class NoPhoneNumber(ConfigurationError):
    """The workspace has no number to send from: its Twilio connection names none, or no number
    of the shared account is assigned to it."""

    code = "no_phone_number"


class AccountRefused(IntegrationError):
    """While a workspace connects its own account: Twilio refused the Account SID and Auth
    Token, the account is not active, or the number is not one of the account's. The person
    connecting can fix it: 400, with the field at fault."""

    status_code = 400
    code = "account_refused"

    def __init__(self, field: str, reason: str):
        super().__init__(reason, provider="twilio")
        self.extra = {"fields": {field: [reason]}}
