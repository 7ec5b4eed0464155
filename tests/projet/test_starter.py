"""A new projet de santé starts filled from what Maillage knows, and the idéation coordinator's
dashboard says which founding step comes next."""

import io
from datetime import date

import pytest
from django.utils import timezone
from docx import Document

from maillage.accounts.models import RoleKind
from maillage.core.models import AuditEntry
from maillage.directory.models import Partner, ProfessionalAccount
from maillage.indicators.registry import Mission
from maillage.lifecycle import actions as lifecycle_actions
from maillage.lifecycle.milestones import Kind
from maillage.projet import actions, diagnostic
from maillage.projet.models import FicheAction, ProjetSante
from maillage.www.dashboard import guide
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory, StructureFactory, UserFactory


@pytest.fixture
def team(dordogne):
    cpts = dordogne["cpts"]
    coordinator = RoleFactory(
        cpts=cpts, kind=RoleKind.COORDINATOR, user=UserFactory(first_name="Sophie", last_name="Delmas")
    ).user
    nurse = ProfessionalFactory(adeli=True)
    member = UserFactory(first_name="Jeanne", last_name="Roux")
    ProfessionalAccount.objects.create(user=member, professional=nurse)
    RoleFactory(cpts=cpts, kind=RoleKind.MEMBER, user=member)
    Partner.objects.create(cpts=cpts, kind=Partner.Kind.CCAS, name="CCAS de Bergerac")
    StructureFactory(commune=dordogne["communes"]["24037"], short_name="EHPAD Les Tilleuls", category_label="EHPAD")
    return {"cpts": cpts, "coordinator": coordinator}


def _start(cpts, actor):
    return actions.start(cpts, actor, diagnostic.compute(cpts), today=date(2026, 12, 5))


def test_a_new_projet_is_prefilled_with_the_territory_the_team_and_a_fiche_per_mission(team):
    cpts = team["cpts"]
    projet = _start(cpts, team["coordinator"])
    assert projet.version == 1 and projet.status == "brouillon"
    assert "CPTS de Bergerac réunit les professionnels de santé de 2 communes" in projet.presentation
    assert "20 000 habitants" in projet.presentation.replace("\u202f", " ")
    assert "Coordination : Sophie Delmas." in projet.presentation
    assert "CCAS de Bergerac" in projet.governance and "EHPAD Les Tilleuls" in projet.governance
    assert "1 professionnel (" in projet.governance  # the nurse member, by profession
    comment = projet.diagnostic_comment
    assert comment.startswith("Le territoire compte") and "Sources : population municipale de l'INSEE" in comment
    # The territory's GPs beside the national reference, whose source and year are cited.
    assert "France : 7,7 en 2021" in comment and "Cnam, Data ameli professionnels de santé libéraux, 2021" in comment
    fiches = list(projet.fiches.prefetch_related("indicators"))
    assert sorted(f.mission for f in fiches) == sorted(Mission.values)
    for fiche in fiches:
        assert fiche.title and fiche.objective and fiche.needs and fiche.actions and fiche.calendar
        assert fiche.lead == "Sophie Delmas"
        assert list(fiche.indicators.all()), f"{fiche.mission} sans indicateur"
    access = next(f for f in fiches if f.mission == Mission.DOCTOR_ACCESS)
    assert "Démarrage au plus tard 6 mois après la signature de l'ACI" in access.calendar
    baseline = {i.code: i.baseline for i in access.indicators.all()}
    assert baseline["doctor_access.found_doctor"] == 0  # computed now: nobody found a doctor yet
    assert baseline["cpam.ald_sans_mt"] is None  # nobody entered the CPAM's figure: no baseline
    assert all(i.target is None for f in fiches for i in f.indicators.all())  # targets are the CPTS's to set
    quality = next(f for f in fiches if f.mission == Mission.QUALITY)
    assert "Mission optionnelle" in quality.calendar
    entry = AuditEntry.objects.get(action="projet.started")
    assert entry.cpts == cpts and entry.details == {"fiches": 7, "indicateurs": 13}


def test_the_calendar_gives_the_dates_once_the_aci_is_signed(team):
    cpts, coordinator = team["cpts"], team["coordinator"]
    for kind, day in [
        (Kind.LETTER_OF_INTENT, date(2025, 3, 1)),
        (Kind.PROJECT_SUBMITTED, date(2025, 6, 1)),
        (Kind.ARS_RESPONSE, date(2025, 7, 1)),
        (Kind.ACI_SIGNED, date(2026, 1, 15)),
    ]:
        lifecycle_actions.date_milestone(cpts, kind, day, actor=coordinator, history=True)
    projet = _start(cpts, coordinator)
    crisis = projet.fiches.get(mission=Mission.CRISIS)
    assert (
        "ACI signé le 15/01/2026 : démarrage avant le 15/07/2026, déploiement avant le 15/07/2027." in crisis.calendar
    )


def test_an_existing_projet_is_never_overwritten(team):
    cpts = team["cpts"]
    ProjetSante.objects.create(cpts=cpts, presentation="Mon texte")
    with pytest.raises(actions.ProjetError, match="déjà commencé"):
        _start(cpts, team["coordinator"])
    assert ProjetSante.objects.get(cpts=cpts).presentation == "Mon texte"
    assert not FicheAction.objects.exists() and not AuditEntry.objects.filter(action="projet.started").exists()


def test_the_prefilled_docx_has_every_section_filled(team):
    cpts = team["cpts"]
    projet = _start(cpts, team["coordinator"])
    from maillage.projet import document

    text = "\n".join(
        p.text for p in Document(io.BytesIO(document.build(cpts, projet, diagnostic.compute(cpts)))).paragraphs
    )
    assert "À compléter." not in text and "Aucune fiche-action pour cette mission." not in text
    assert "Aucun indicateur" not in text


@pytest.fixture
def verified(team, login):
    return login(team["coordinator"])


def test_the_projet_page_offers_to_start_and_the_start_redirects_with_the_draft(team, verified):
    cpts = team["cpts"]
    page = verified.get(f"/c/{cpts.slug}/projet-de-sante/")
    assert "Commencer le projet de santé" in page.content.decode()
    response = verified.post(f"/c/{cpts.slug}/projet-de-sante/commencer/", follow=True)
    body = response.content.decode()
    assert "Brouillon pré-rempli : 7 fiches-actions, une par mission." in body
    assert "Trouver un médecin traitant aux patients qui n&#x27;en ont pas" in body
    assert "Commencer le projet de santé" not in body
    again = verified.post(f"/c/{cpts.slug}/projet-de-sante/commencer/", follow=True)
    assert "déjà commencé" in again.content.decode()
    assert ProjetSante.objects.filter(cpts=cpts).count() == 1


def test_the_guide_walks_the_founding_steps_in_order(team):
    cpts, coordinator = team["cpts"], team["coordinator"]
    states = lambda: [(s.number, s.state) for s in guide.steps(cpts)]  # noqa: E731
    assert states() == [(1, "now"), (2, "later"), (3, "later"), (4, "later")]
    lifecycle_actions.date_milestone(cpts, Kind.LETTER_OF_INTENT, timezone.localdate(), actor=coordinator)
    assert states() == [(1, "done"), (2, "now"), (3, "later"), (4, "later")]
    _start(cpts, coordinator)  # the starter writes the diagnostic's analysis
    steps = guide.steps(cpts)
    assert [(s.number, s.state) for s in steps] == [(1, "done"), (2, "done"), (3, "now"), (4, "later")]
    assert steps[2].detail == "Brouillon : 7 fiches-actions, 7 missions sur 7 ; 13 indicateurs sans cible."
    assert steps[2].action == "Compléter et déposer le projet"


def test_the_guide_is_gone_once_the_cpts_runs(team):
    cpts = team["cpts"]
    from maillage.lifecycle.models import Lifecycle

    Lifecycle.objects.update_or_create(cpts=cpts, defaults={"phase": "fonctionnement"})
    assert guide.steps(cpts) == []


def test_the_dashboard_shows_the_next_step_with_its_link(team, verified):
    cpts = team["cpts"]
    body = verified.get(f"/c/{cpts.slug}/").content.decode()
    assert "Créer la CPTS, étape par étape" in body
    assert f'href="/c/{cpts.slug}/parcours/#date-letter_of_intent">Dater la lettre d&#x27;intention' in body


def test_members_cannot_start_a_projet(team, login):
    cpts = team["cpts"]
    client = login(RoleFactory(cpts=cpts, kind=RoleKind.MEMBER).user)
    assert client.post(f"/c/{cpts.slug}/projet-de-sante/commencer/").status_code == 404
    assert not ProjetSante.objects.exists()


def test_structures_elsewhere_are_not_listed(team, dordogne):
    StructureFactory(commune=dordogne["communes"]["33063"], short_name="CHU de Bordeaux", category_label="CHU")
    ActivityFactory()
    projet = _start(team["cpts"], team["coordinator"])
    assert "CHU de Bordeaux" not in projet.governance
