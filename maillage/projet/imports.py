"""What the projet app's two reference imports (GP zoning, reference densities) share: writing
the new and changed rows of an applied run and its one audit entry, in one transaction."""

from django.db import transaction

from maillage.core import audit

BATCH = 2_000


def write(model, created: list, updated: list, fields: list[str], *, action: str, actor, name: str, unchanged: int,
          rejected: int) -> None:  # fmt: skip
    with transaction.atomic():
        model.objects.bulk_create(created, batch_size=BATCH)
        model.objects.bulk_update(updated, fields, batch_size=BATCH)
        audit.record(
            action,
            actor=actor,
            details={
                "fichier": name,
                "nouvelles": len(created),
                "modifiées": len(updated),
                "inchangées": unchanged,
                "rejetées": rejected,
            },
        )
