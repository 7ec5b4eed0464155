import re

import pytest
from django.utils import timezone

from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import Proposal
from maillage.doctor_access.states import Status
from tests.factories import CommuneFactory, CptsFactory, DepartementFactory, RegionFactory, RoleFactory

URL = "/couverture/region/11/medecin-traitant/"


@pytest.fixture
def lyon(idf):
    rhone = DepartementFactory(code="69", name="Rhône", region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"))
    return CptsFactory(name="CPTS Lyon 8", slug="lyon-8", communes=[CommuneFactory(code="69388", departement=rhone)])


@pytest.fixture
def viewer(idf, login):
    return login(RoleFactory(regional=True, region=idf["region"]).user)


@pytest.fixture
def waiting_list(submit, coordinator, cmv):
    """cmv: two ALD patients (priority 4) and six without priority, all qualified."""
    requests = [submit(last_name=f"Patient{n}", ald=n < 2) for n in range(8)]
    for request in requests:
        move(request, Status.QUALIFIED, coordinator)
    return requests


def _row(html, name):
    match = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', html, re.S)
    assert match, name
    return match[1]


def test_each_cpts_of_the_region_with_small_counts_masked(viewer, waiting_list, lyon):
    response = viewer.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Indicateurs de l'accès à un médecin traitant par CPTS" in html
    assert html.count('<th scope="col">') == 8
    cmv = _row(html, "CPTS Châtillon-Malakoff-Vanves")
    assert "priorité 4 : &lt; 5" in cmv  # two patients
    assert "non prioritaire : 6" in cmv
    assert "ALD : &lt; 5" in cmv
    assert "70 ans ou plus : 0" in cmv
    for other in ("CPTS Grand Issy-Vanves", "CPTS Paris 13"):
        assert "non calculable" in _row(html, other)  # no one waiting: no median
    assert "CPTS Lyon 8" not in html  # another région


def test_no_identity_on_the_page(viewer, waiting_list, submit):
    submit(last_name="Zébulon", first_name="Marguerite", phone="0611223344", email="marguerite@exemple.fr")
    html = viewer.get(URL).content.decode()
    for request in waiting_list:
        assert request.reference not in html
        assert request.last_name not in html
    for identity in (
        "Zébulon",
        "Marguerite",
        "Hélène",
        "H&eacute;l&egrave;ne",
        "0611223344",
        "marguerite@exemple.fr",
        "helene.lefevre@exemple.fr",
    ):
        assert identity not in html


def test_five_or_more_are_shown(viewer, waiting_list, submit):
    for n in range(3):
        submit(last_name=f"Ald{n}", ald=True)
    html = _row(viewer.get(URL).content.decode(), "CPTS Châtillon-Malakoff-Vanves")
    # The three new ones are only received: they are on the list too.
    assert "priorité 4 : 5" in html
    assert "ALD : 5" in html


def test_a_chosen_period(viewer, waiting_list):
    response = viewer.get(URL, {"periode": "2026-T1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1er trimestre 2026" in html
    # Nobody was on the list then.
    assert "priorité 4" not in html and "non prioritaire" not in html


def test_a_bad_period_is_refused_in_french(viewer):
    response = viewer.get(URL, {"periode": "novembre"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Période « NOVEMBRE » non reconnue : attendu 2026-11 (mois)" in html
    assert "<caption>" not in html


def test_another_region_answers_404(viewer, lyon, login):
    assert viewer.get("/couverture/region/84/medecin-traitant/").status_code == 404
    lyon_viewer = login(RoleFactory(regional=True, region=RegionFactory(code="84")).user)
    assert lyon_viewer.get(URL).status_code == 404
    html = lyon_viewer.get("/couverture/region/84/medecin-traitant/").content.decode()
    assert "CPTS Lyon 8" in html and "Châtillon" not in html


def test_a_cpts_team_member_does_not_see_it(coordinator_client, anonymous):
    assert coordinator_client.get(URL).status_code == 404
    assert anonymous.get(URL).status_code == 302


def test_the_platform_admin_sees_every_region(idf, lyon, login):
    admin = login(RoleFactory(admin=True).user, with_mfa=True)
    assert admin.get(URL).status_code == 200
    assert admin.get("/couverture/region/84/medecin-traitant/").status_code == 200


def test_the_region_coverage_page_links_to_it(viewer):
    html = viewer.get("/couverture/region/11/").content.decode()
    assert f'href="{URL}"' in html


def test_a_median_of_fewer_than_five_waits_is_not_shown(viewer, waiting_list, submit, idf):
    vanves = idf["communes"]["92075"]
    for n in range(2):
        submit(idf["issy"], last_name=f"Issy{n}", commune=vanves)
    html = viewer.get(URL).content.decode()
    issy = _row(html, "CPTS Grand Issy-Vanves")
    assert "non diffusé (moins de 5 personnes)" in issy
    assert "non diffusé" not in _row(html, "CPTS Châtillon-Malakoff-Vanves")  # eight waiting: shown


def test_the_cpts_indicators_page_hides_from_the_region_what_concerns_fewer_than_5_people(
    viewer, submit, coordinator, coordinator_client
):
    for n in range(3):
        move(submit(last_name=f"Patient{n}", ald=True), Status.QUALIFIED, coordinator)
    as_region = viewer.get("/c/cmv/indicateurs/")
    assert as_region.status_code == 200
    html = as_region.content.decode()
    assert "ALD : &lt; 5" in html
    assert "non diffusé (moins de 5 personnes)" in html  # the median wait of three patients
    assert "ALD : 3" not in html
    assert "ALD : 3" in coordinator_client.get("/c/cmv/indicateurs/").content.decode()


def test_the_region_page_links_to_each_cpts_aggregates(viewer, waiting_list):
    html = viewer.get("/couverture/region/11/cpts/").content.decode()
    for path in ("projet-de-sante/", "diagnostic/", "indicateurs/", "financement/"):
        assert f'href="/c/cmv/{path}"' in html
        assert viewer.get(f"/c/cmv/{path}").status_code == 200


def test_a_ratio_over_fewer_than_five_patients_is_not_shown(viewer, waiting_list, propose, coordinator, login):
    for request in waiting_list[:2]:  # two patients accepted by the one volunteer: 2.0 per doctor
        proposal = propose(request)
        proposal.status, proposal.decided_at = Proposal.Status.ACCEPTED, timezone.now()
        proposal.save()
    assert _last_cell(viewer.get(URL).content.decode()) == "non diffusé (moins de 5 personnes)"
    for request in waiting_list[2:6]:  # six accepted: the ratio is shown
        proposal = propose(request)
        proposal.status, proposal.decided_at = Proposal.Status.ACCEPTED, timezone.now()
        proposal.save()
    assert _last_cell(viewer.get(URL).content.decode()) == "6"


def _last_cell(html):
    """The new patients per volunteer doctor of cmv (the table's last column)."""
    return re.findall(r"<td>(.*?)</td>", _row(html, "CPTS Châtillon-Malakoff-Vanves"), re.S)[-1].strip()
