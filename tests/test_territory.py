import pytest

from maillage.core.models import AuditEntry
from maillage.core.text import normalize
from maillage.territory import actions
from maillage.territory.models import Cpts
from maillage.territory.search import search_units
from maillage.territory.tiers import tier_for


@pytest.mark.parametrize(
    ("population", "tier"),
    [
        (0, "T1"),
        (39_999, "T1"),
        (40_000, "T2"),
        (79_999, "T2"),
        (80_000, "T3"),
        (174_999, "T3"),
        (175_000, "T4"),
        (1_000_000, "T4"),
    ],
)
def test_tier_boundaries_belong_to_the_upper_tier(population, tier):
    assert tier_for(population).code == tier


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Châtillon", "chatillon"),
        ("CHÂTILLON", "chatillon"),
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("st etienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
    ],
)
def test_normalize_folds_accents_case_and_separators(raw, expected):
    assert normalize(raw) == expected


def test_population_and_tier_of_a_cpts(idf):
    cmv = Cpts.objects.with_population().get(slug="cmv")
    assert cmv.population() == 37_500 + 30_557 + 28_622
    assert cmv.tier().code == "T3"
    assert cmv.commune_count == 3


def test_overlaps_name_the_other_cpts(idf):
    overlaps = idf["cmv"].overlaps()
    assert [c.code for c in overlaps] == ["92075"]
    assert [o.name for o in overlaps[idf["communes"]["92075"]]] == ["CPTS Grand Issy-Vanves"]
    assert idf["paris13"].overlaps() == {}


@pytest.mark.parametrize("query", ["chatillon", "CHATILLON", "Châtillon", "châtil", "92020", "9202"])
def test_search_is_accent_and_case_insensitive_and_by_code(idf, query):
    assert "92020" in [c.code for c in search_units(query)]


def test_search_finds_inner_words_and_postal_codes_but_not_plm_parents(idf):
    assert [c.code for c in search_units("moulineaux")] == ["92040"]
    assert [c.code for c in search_units("92130")] == ["92040"]
    assert [c.code for c in search_units("paris")] == ["75113"]
    assert list(search_units("")) == []
    assert list(search_units("zzzz")) == []


def test_add_commune_updates_population_and_writes_one_audit_entry(idf, coordinator):
    cmv = idf["cmv"]
    before = AuditEntry.objects.count()
    actions.add_commune(cmv, "92049", actor=coordinator, expected_version=cmv.territory_version)
    assert Cpts.objects.with_population().get(pk=cmv.pk).population() == 96_679 + 49_976
    entries = AuditEntry.objects.all()[: AuditEntry.objects.count() - before]
    assert [(e.action, e.details, e.actor, e.cpts) for e in entries] == [
        ("territory.commune.added", {"commune": "92049"}, coordinator, cmv)
    ]


def test_stale_version_is_refused_and_keeps_the_other_edit(idf, coordinator):
    cmv = idf["cmv"]
    seen = cmv.territory_version
    actions.add_commune(cmv, "92049", actor=coordinator, expected_version=seen)
    with pytest.raises(actions.StaleTerritoryError, match="modifié par une autre personne"):
        actions.add_commune(Cpts.objects.get(pk=cmv.pk), "92040", actor=coordinator, expected_version=seen)
    codes = set(cmv.territory.values_list("commune_id", flat=True))
    assert codes == {"92020", "92046", "92075", "92049"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99999", "Commune inconnue"),
        ("", "Commune inconnue"),
        ("75056", "Commune inconnue"),  # Paris as a whole: its arrondissements are the units
        ("92046", "fait déjà partie"),
    ],
)
def test_bad_additions_are_refused_in_french_and_change_nothing(idf, coordinator, code, message):
    cmv = idf["cmv"]
    count = AuditEntry.objects.count()
    with pytest.raises(actions.TerritoryError, match=message):
        actions.add_commune(cmv, code, actor=coordinator, expected_version=cmv.territory_version)
    assert cmv.territory.count() == 3
    assert AuditEntry.objects.count() == count
    assert Cpts.objects.get(pk=cmv.pk).territory_version == cmv.territory_version


def test_lowercase_code_is_accepted(idf, coordinator):
    commune = actions.add_commune(idf["cmv"], " 92049 ", actor=coordinator)
    assert commune.name == "Montrouge"


def test_territory_cannot_become_empty(idf, coordinator):
    paris13 = idf["paris13"]
    with pytest.raises(actions.TerritoryError, match="ne peut pas être vide"):
        actions.remove_commune(paris13, "75113", actor=coordinator)
    with pytest.raises(actions.TerritoryError, match="ne peut pas être vide"):
        actions.set_territory(paris13, [" ", ""], actor=coordinator)
    assert paris13.territory.count() == 1


def test_set_territory_reports_every_unknown_code(idf, coordinator):
    with pytest.raises(actions.TerritoryError, match="00000, 99999"):
        actions.set_territory(idf["cmv"], ["92046", "99999", "00000"], actor=coordinator)
    assert idf["cmv"].territory.count() == 3


def test_set_territory_audits_added_and_removed(idf, coordinator):
    actions.set_territory(idf["cmv"], ["92046", "92049"], actor=coordinator)
    entry = AuditEntry.objects.filter(action="territory.set").get()
    assert entry.details == {"added": ["92049"], "removed": ["92020", "92075"]}
