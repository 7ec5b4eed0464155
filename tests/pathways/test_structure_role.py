"""Issue 15 — a hospital's discharge staff (the « structure » role of a FINESS establishment):
invited by the coordinator, with a second factor; they send care requests for the CPTS and see
their own, nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts import actions, invitations
from maillage.accounts.models import Invitation, Role, RoleKind
from maillage.accounts.roles import needs_second_factor
from maillage.pathways import access
from maillage.pathways.models import CareRequest
from tests.factories import RoleFactory, StructureFactory


@pytest.fixture
def hospital(world):
    structure = StructureFactory()
    user = RoleFactory(kind=RoleKind.STRUCTURE, cpts=world["cmv"], structure=structure).user
    return {**world, "hospital": structure, "discharge_user": user}


def test_the_coordinator_invites_discharge_staff_naming_their_establishment(hospital, login):
    coordinator = login(hospital["coordinator"])
    data = {"email": "sortie@hopital.fr", "kind": "structure"}
    missing = coordinator.post("/c/cmv/equipe/inviter/", data)
    assert missing.status_code == 400 and "Indiquez le numéro FINESS" in missing.content.decode()
    unknown = coordinator.post("/c/cmv/equipe/inviter/", {**data, "finess": "999999999"})
    assert unknown.status_code == 400 and "Aucun établissement" in unknown.content.decode()
    assert not Invitation.objects.filter(email="sortie@hopital.fr").exists()
    sent = coordinator.post("/c/cmv/equipe/inviter/", {**data, "finess": hospital["hospital"].finess_et})
    assert sent.status_code == 302
    invitation = Invitation.objects.get(email="sortie@hopital.fr")
    assert invitation.structure == hospital["hospital"]
    token, invitation.token_digest = invitations.new_token()
    invitation.save()
    role = actions.accept_as_new_user(token, password="Une-phrase-de-passe-longue-2026", first_name="Ana",
                                      last_name="Sortie")  # fmt: skip
    assert (role.kind, role.structure, role.cpts) == (RoleKind.STRUCTURE, hospital["hospital"], hospital["cmv"])
    assert needs_second_factor(role.user)


def test_the_structure_role_is_not_given_by_a_role_change(hospital):
    role = Role.objects.get(user=hospital["discharge_user"])
    with pytest.raises(actions.AccountsError, match="par une invitation"):
        actions.change_role(role, RoleKind.MEMBER, actor=hospital["coordinator"])
    member = Role.objects.get(user=hospital["gp_user"])
    with pytest.raises(actions.AccountsError, match="par une invitation"):
        actions.change_role(member, RoleKind.STRUCTURE, actor=hospital["coordinator"])
    with pytest.raises(actions.AccountsError, match="Seul le personnel"):
        actions.invite(hospital["cmv"], "x@exemple.fr", "member", actor=None, site_url="http://t/",
                       structure=hospital["hospital"])  # fmt: skip


def test_discharge_staff_send_a_request_and_see_only_their_own(hospital, login):
    client = login(hospital["discharge_user"])
    start = (timezone.localdate() + timedelta(days=1)).isoformat()
    sent = client.post(
        "/c/cmv/demandes-de-prise-en-charge/nouvelle/",
        {"profession_code": "60", "need": "Soins de sortie : pansement, 1 fois par jour", "start_on": start,
         "commune": "92046", "radius_km": "5", "patient_name": "Paul Martin", "patient_phone": "0612345678"},
    )  # fmt: skip
    assert sent.status_code == 302
    own = CareRequest.objects.get()
    assert own.requester_structure == hospital["hospital"] and own.requester_professional is None
    page = client.get(f"/c/cmv/demandes-de-prise-en-charge/{own.pk}/").content.decode()
    assert "Paul Martin" in page
    listing = client.get("/c/cmv/demandes-de-prise-en-charge/").content.decode()
    assert own.reference in listing
    from maillage.pathways.actions.requests import Need, PatientContact, create_request

    other = create_request(
        hospital["cmv"], hospital["gp_user"],
        Need(profession_code="60", need="Injections", start_on=timezone.localdate() + timedelta(days=1),
             commune=hospital["malakoff"], radius_km=5),
        PatientContact(name="Rose Petit"),
    )  # fmt: skip
    assert client.get(f"/c/cmv/demandes-de-prise-en-charge/{other.pk}/").status_code == 404
    assert other.reference not in client.get("/c/cmv/demandes-de-prise-en-charge/").content.decode()
    # Nothing else of the CPTS: not its pathways, not its directory.
    assert client.get("/c/cmv/parcours-patients/").status_code == 404
    assert client.get("/c/cmv/annuaire/").status_code == 404
    assert not access.may_enrol(hospital["discharge_user"], hospital["cmv"])
