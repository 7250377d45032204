"""The encrypted model field every token, password, API key and signing secret is stored in."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models.expressions import ExpressionWrapper, F

from clianta import scrub

from .crypto import keyring


class EncryptedTextField(models.TextField):
    """A text column holding AES-256-GCM ciphertext; Python code sees the plaintext.

    The ciphertext is bound to ``<app_label>.<model>.<field>``, so it cannot be moved to another
    column. Only ``isnull`` lookups make sense on it: the same text encrypts differently each time.
    """

    def aad(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.name}".encode()

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        plaintext = keyring().decrypt(value, self.aad())
        scrub.remember(plaintext)
        return plaintext

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        scrub.remember(value)
        return keyring().encrypt(value, self.aad())

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """(model, names of its encrypted fields) for every model that has some."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def stored_ciphertext(names) -> dict:
    """Annotations ``raw_<name>``: each field's stored ciphertext as plain text (bypassing the
    field's decryption)."""
    return {f"raw_{n}": ExpressionWrapper(F(n), output_field=models.TextField()) for n in names}
