"""Signals the framework sends to the apps."""

from django.dispatch import Signal

#: A provider account was connected or reconnected (through OAuth, a login or an API key).
#: Arguments: ``credential`` (IntegrationCredential), ``user`` (who connected it) and, where
#: there is one, ``request``. ``sender`` is the provider slug. Every connect path sends it: the
#: audit trail records connects from it.
credential_connected = Signal()


def on_connect(dispatch_uid: str, make_account, first_sync) -> None:
    """When a credential connects, ``make_account(credential, user)`` gives the app's account
    for it (or None), whose first sync ``first_sync.delay(account id, trigger="connect")`` is
    queued once the connecting transaction commits."""
    from django.db import transaction

    def connected(sender, credential, user, **kwargs):
        account = make_account(credential, user)
        if account is not None:
            transaction.on_commit(lambda: first_sync.delay(str(account.pk), trigger="connect"))

    credential_connected.connect(connected, weak=False, dispatch_uid=dispatch_uid)
