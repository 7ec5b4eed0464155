"""The reference territory: the real install (COG 2026 + outlines) and COG updates on small files."""

import csv
import json
import statistics

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.core.geo import distance_km
from maillage.core.models import AuditEntry
from maillage.territory import reference
from maillage.territory.models import Commune, Cpts, CptsCommune, ReferenceInstall
from tests.factories import CptsFactory


@pytest.mark.reference
def test_full_install_counts_and_is_idempotent(installed, real_sources):
    assert installed.units == 34_969 + 45
    assert Commune.objects.filter(kind="arrondissement").count() == 45
    assert Commune.objects.units().count() == 34_969 + 45 - 3  # Paris, Lyon, Marseille counted by arrondissement
    assert installed.with_centroid / installed.units >= 0.997
    malakoff = Commune.objects.get(code="92046")
    assert (malakoff.name, malakoff.departement_id, malakoff.region_id) == ("Malakoff", "92", "11")
    assert malakoff.population > 25_000
    assert json.loads(malakoff.shape)["type"] in ("Polygon", "MultiPolygon")
    again = reference.install(*real_sources, log=lambda *_: None)
    assert again.skipped
    forced = reference.install(*real_sources, force=True, log=lambda *_: None)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, installed.units)


@pytest.mark.reference
@pytest.mark.shared
def test_centroids_match_the_ign_reference(installed, shared_data):
    ours = {c: (lat, lon) for c, lat, lon in Commune.objects.values_list("code", "latitude", "longitude")}
    distances = []
    with open(shared_data / "communes_centroides.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lat, lon = ours.get(row["code_insee"], (None, None))
            if row["latitude"] and lat is not None:
                distances.append(distance_km(lat, lon, float(row["latitude"]), float(row["longitude"])))
    assert len(distances) >= 34_800
    assert statistics.median(distances) < 1.0
    assert statistics.quantiles(distances, n=100)[98] < 5.0  # 99th percentile


def _write_cog(directory, communes):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "regions.json").write_text(json.dumps([{"code": "11", "nom": "Île-de-France"}]))
    (directory / "departements.json").write_text(json.dumps([{"code": "92", "nom": "Hauts-de-Seine", "region": "11"}]))
    (directory / "epci.json").write_text(
        json.dumps([{"code": "200054781", "nom": "Métropole du Grand Paris", "type": "MET", "membres": []}])
    )
    rows = [
        {
            "code": code,
            "nom": name,
            "type": "commune-actuelle",
            "departement": "92",
            "region": "11",
            "population": population,
            "codesPostaux": ["92000"],
            **({"anciensCodes": former} if former else {}),
        }
        for code, name, population, former in communes
    ]
    (directory / "communes.json").write_text(json.dumps(rows))
    return directory


def test_newer_cog_moves_territory_links_to_the_merged_commune(db, tmp_path):
    v1 = _write_cog(
        tmp_path / "v1", [("92001", "Alpha", 1000, []), ("92002", "Beta", 2000, []), ("92003", "Gamma", 5, [])]
    )
    reference.install(v1, None, log=lambda *_: None)
    cpts = CptsFactory(communes=list(Commune.objects.filter(code__in=["92001", "92002"])))
    both = CptsFactory(communes=list(Commune.objects.filter(code__in=["92002", "92003"])))

    v2 = _write_cog(tmp_path / "v2", [("92003", "Gamma-Alpha", 1005, ["92001"]), ("92002", "Beta", 2100, [])])
    report = reference.install(v2, None, log=lambda *_: None)

    assert set(cpts.territory.values_list("commune_id", flat=True)) == {"92002", "92003"}
    assert set(both.territory.values_list("commune_id", flat=True)) == {"92002", "92003"}
    old = Commune.objects.get(code="92001")
    assert (old.active, old.replaced_by_id) == (False, "92003")
    assert report.moved_links == [(cpts.name, "92001", "92003")]
    assert (report.updated, report.retired) == (2, ["92001"])
    assert Cpts.objects.with_population().get(pk=cpts.pk).population() == 2100 + 1005


def test_interrupted_install_leaves_nothing_half_done_and_resumes(db, tmp_path, monkeypatch):
    source = _write_cog(tmp_path / "cog", [("92001", "Alpha", 1000, []), ("92002", "Beta", 2000, [])])

    def crash(*args, **kwargs):
        raise RuntimeError("coupure")

    monkeypatch.setattr(reference, "_retire_former_communes", crash)
    with pytest.raises(RuntimeError):
        reference.install(source, None, log=lambda *_: None)
    assert Commune.objects.count() == 0
    assert not ReferenceInstall.objects.exists()
    assert not AuditEntry.objects.exists()

    monkeypatch.undo()
    report = reference.install(source, None, log=lambda *_: None)
    assert (report.created, Commune.objects.count()) == (2, 2)


def test_missing_or_broken_sources_give_a_french_message(db, tmp_path):
    with pytest.raises(CommandError, match="Fichier de référence introuvable"):
        call_command("install_reference", "--cog-dir", str(tmp_path / "absent"), "--no-shapes")
    broken = _write_cog(tmp_path / "broken", [("92001", "Alpha", 1000, [])])
    (broken / "communes.json").write_text("[{pas du json")
    with pytest.raises(CommandError, match="illisible"):
        call_command("install_reference", "--cog-dir", str(broken), "--no-shapes")
    (broken / "communes.json").write_text("[]")
    with pytest.raises(CommandError, match="Aucune commune"):
        call_command("install_reference", "--cog-dir", str(broken), "--no-shapes")
    assert Commune.objects.count() == 0


def test_links_stay_when_a_commune_vanishes_without_successor(db, tmp_path):
    v1 = _write_cog(tmp_path / "v1", [("92001", "Alpha", 1000, []), ("92002", "Beta", 2000, [])])
    reference.install(v1, None, log=lambda *_: None)
    cpts = CptsFactory(communes=[Commune.objects.get(code="92001")])
    reference.install(_write_cog(tmp_path / "v2", [("92002", "Beta", 2000, [])]), None, log=lambda *_: None)
    assert CptsCommune.objects.filter(cpts=cpts, commune_id="92001").exists()
    assert not Commune.objects.get(code="92001").active
