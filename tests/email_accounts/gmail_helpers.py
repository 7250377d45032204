"""Gmail helpers for the tests."""

from sandbox import faults

EMAIL = "me@clianta.example"
SCOPES = "openid email https://www.googleapis.com/auth/gmail.modify"


def gmail_calls(path_contains="") -> int:
    """HTTP requests the sandbox answered for Gmail (a batch counts once, its parts apart)."""
    return faults.calls("google", f"/gmail/v1/{path_contains}").count()
