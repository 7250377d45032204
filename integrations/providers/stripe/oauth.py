"""Stripe Connect's OAuth for standard accounts, through the stripe SDK: the person approves
on Stripe, the code is exchanged with the platform's secret key, and the account
(``stripe_user_id``) is reached from then on with the platform's key and its ``Stripe-Account``
header; disconnecting deauthorizes the platform. Tokens of standard accounts do not expire.
https://docs.stripe.com/connect/oauth-reference
"""

from stripe import oauth_error

from integrations.errors import AuthExpired, ProviderError
from integrations.oauth.base import TokenSet

from . import client
from .client import provider_errors

SCOPE = "read_write"


def _oauth_errors(call):
    try:
        with provider_errors():
            return call()
    except ProviderError as exc:
        cause = exc.__cause__
        if isinstance(cause, oauth_error.InvalidGrantError):
            raise AuthExpired("Stripe refused the grant.", provider="stripe") from cause
        raise


class StripeConnectOAuth:
    pkce = False

    def authorization_url(self, provider, state, redirect_uri):
        url = client.platform().oauth.authorize_url(
            {"scope": SCOPE, "state": state, "redirect_uri": redirect_uri}
        )
        return url, None

    def exchange(self, provider, code, redirect_uri, code_verifier):
        answer = _oauth_errors(
            lambda: (
                client.platform()
                .oauth.token({"grant_type": "authorization_code", "code": code})
                .to_dict()
            )
        )
        return TokenSet(
            access_token=answer["access_token"],
            refresh_token=answer.get("refresh_token"),
            scopes=[answer.get("scope") or SCOPE],
            account=answer["stripe_user_id"],
            metadata={"livemode": bool(answer.get("livemode"))},
        )

    def refresh(self, provider, refresh_token, credential):
        answer = _oauth_errors(
            lambda: (
                client.platform()
                .oauth.token({"grant_type": "refresh_token", "refresh_token": refresh_token})
                .to_dict()
            )
        )
        return TokenSet(access_token=answer["access_token"], refresh_token=None)

    def revoke(self, provider, token, credential):
        """Deauthorize the platform from the account (Stripe names it by its id)."""
        try:
            _oauth_errors(
                lambda: client.platform().oauth.deauthorize({"stripe_user_id": credential.account})
            )
        except AuthExpired:
            return False  # the account had already disconnected us
        return True
