from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.crypto import keyring
from integrations.fields import encrypted_fields, stored_ciphertext

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS (legacy-format "
        "values included), so older keys can then be removed."
    )

    def handle(self, *args, **options):
        ring = keyring()
        total = 0
        for model, names in encrypted_fields():
            raw = stored_ciphertext(names)
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
