"""Writes to CPTS territories. One transaction and one audit entry per action."""

from django.db import transaction
from django.db.models import F

from maillage.core import audit, versioning
from maillage.core.french import agree
from maillage.territory import published
from maillage.territory.models import Commune, Cpts, CptsCommune
from maillage.territory.signals import territory_set


class TerritoryError(Exception):
    """A refused edit; the message is shown to the coordinator as is."""


class StaleTerritoryError(TerritoryError):
    pass


def _bump_version(cpts: Cpts, expected_version: int | None) -> None:
    rows = Cpts.objects.filter(pk=cpts.pk)
    if expected_version is not None:
        rows = rows.filter(territory_version=expected_version)
    if rows.update(territory_version=F("territory_version") + 1) == 0:
        raise StaleTerritoryError(
            "Le territoire a été modifié par une autre personne pendant votre saisie. "
            "Votre modification n'a pas été enregistrée : vérifiez la liste à jour puis recommencez."
        )
    cpts.refresh_from_db(fields=["territory_version"])


def _unit(code: str) -> Commune:
    commune = Commune.objects.units().filter(code=(code or "").strip().upper()).first()
    if commune is None:
        raise TerritoryError(f"Commune inconnue : « {code} ». Choisissez une commune dans la liste proposée.")
    return commune


@transaction.atomic
def add_commune(cpts: Cpts, code: str, *, actor, expected_version: int | None = None) -> Commune:
    commune = _unit(code)
    if CptsCommune.objects.filter(cpts=cpts, commune=commune).exists():
        raise TerritoryError(f"{commune.name} fait déjà partie du territoire.")
    _bump_version(cpts, expected_version)
    CptsCommune.objects.create(cpts=cpts, commune=commune)
    audit.record("territory.commune.added", actor=actor, cpts=cpts, obj=cpts, details={"commune": commune.code})
    return commune


@transaction.atomic
def remove_commune(cpts: Cpts, code: str, *, actor, expected_version: int | None = None) -> Commune:
    link = CptsCommune.objects.filter(cpts=cpts, commune_id=(code or "").strip().upper()).first()
    if link is None:
        raise TerritoryError(f"La commune « {code} » ne fait pas partie du territoire.")
    if cpts.territory.count() == 1:
        raise TerritoryError(
            "Un territoire ne peut pas être vide : ajoutez une autre commune avant de retirer celle-ci."
        )
    _bump_version(cpts, expected_version)
    link.delete()
    audit.record("territory.commune.removed", actor=actor, cpts=cpts, obj=cpts, details={"commune": link.commune_id})
    return link.commune


@transaction.atomic
def set_territory(cpts: Cpts, codes: list[str], *, actor, expected_version: int | None = None) -> list[Commune]:
    """Replace the whole territory (demo loader, API clients, imports)."""
    wanted = {c.strip().upper() for c in codes if c and c.strip()}
    if not wanted:
        raise TerritoryError("Un territoire ne peut pas être vide : indiquez au moins une commune.")
    communes = list(Commune.objects.units().filter(code__in=wanted))
    unknown = sorted(wanted - {c.code for c in communes})
    if unknown:
        raise TerritoryError(f"{agree(len(unknown), 'Commune inconnue', 'Communes inconnues')} : {', '.join(unknown)}.")
    _bump_version(cpts, expected_version)
    before = set(cpts.territory.values_list("commune_id", flat=True))
    with published.deferred():  # the CPTS's outline once, not once per commune removed
        cpts.territory.exclude(commune__in=communes).delete()
        CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune=c) for c in communes if c.code not in before])
        territory_set.send(sender=Cpts, cpts=cpts)  # bulk_create sends no post_save
    audit.record(
        "territory.set",
        actor=actor,
        cpts=cpts,
        obj=cpts,
        details={"added": sorted(wanted - before), "removed": sorted(before - wanted)},
    )
    return communes


@transaction.atomic
def create_cpts(*, name: str, slug: str, actor, status=Cpts.Status.PROJECT, description="") -> Cpts:
    cpts = Cpts.objects.create(name=name, slug=slug, status=status, description=description)
    audit.record("territory.cpts.created", actor=actor, cpts=cpts, obj=cpts, details={"status": status})
    return cpts


CONTACT_FIELDS = ("contact_email", "phone")


@transaction.atomic
def update_contacts(cpts: Cpts, *, contact_email: str, phone: str, actor, expected_version: int | None) -> bool:
    """The CPTS's public contacts (its address and its numéro unique). Raises StaleEdit when
    someone else changed them since the form was read; False when nothing changed. Saving the CPTS
    replaces the published pages' version (maillage.territory.published), so visitors see the new
    contacts at once."""
    versioning.lock_and_check(cpts, expected_version)
    current = Cpts.objects.get(pk=cpts.pk)
    values = {"contact_email": contact_email.strip(), "phone": " ".join(phone.split())}
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return False
    for name, value in values.items():
        setattr(cpts, name, value)
    cpts.version = current.version + 1
    cpts.save(update_fields=[*CONTACT_FIELDS, "version"])
    audit.record("territory.cpts.contacts_changed", actor=actor, cpts=cpts, obj=cpts, details=changed)
    return True
