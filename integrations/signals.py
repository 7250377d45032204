"""Signals the framework sends to the apps."""

from django.dispatch import Signal

#: A provider account was connected or reconnected through OAuth.
#: Arguments: ``credential`` (IntegrationCredential), ``user`` (who connected it).
#: ``sender`` is the provider slug.
credential_connected = Signal()
