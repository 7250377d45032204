from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.expressions import ExpressionWrapper, F

from integrations.crypto import keyring
from integrations.fields import EncryptedTextField

BATCH = 500


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS (legacy-format "
        "values included), so older keys can then be removed."
    )

    def handle(self, *args, **options):
        ring = keyring()
        total = 0
        for model, names in encrypted_fields():
            # The stored ciphertext, read as plain text (bypassing the field's decryption).
            raw = {
                f"raw_{n}": ExpressionWrapper(F(n), output_field=models.TextField()) for n in names
            }
            pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            rewritten = 0
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    rows = (
                        model._default_manager.select_for_update()
                        .filter(pk__in=pks[start : start + BATCH])
                        .annotate(**raw)
                        .values("pk", *raw)
                    )
                    for row in rows:
                        rewritten += self._rotate_row(model, names, row, ring)
            total += rewritten
            self.stdout.write(
                f"{model._meta.label}: {rewritten} value(s) re-encrypted, {len(pks)} row(s) checked"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} value(s) now under key {ring.primary_id}.")
        )

    @staticmethod
    def _rotate_row(model, names, row, ring) -> int:
        changes = {}
        for name in names:
            stored = row[f"raw_{name}"]
            if stored is not None and ring.needs_rotation(stored):
                field = model._meta.get_field(name)
                changes[name] = ring.decrypt(stored, field.aad())
        if changes:
            model._default_manager.filter(pk=row["pk"]).update(**changes)
        return len(changes)
