"""The association of cmv: its statutes and default collèges, members in several collèges and
states, and the accounts that act in it (the coordinator, a member professional, an adherent)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.association import statutes as statutes_of
from maillage.association.actions.members import create_member
from maillage.association.models import College, Member
from maillage.directory.models import ProfessionalAccount
from tests.conftest import _login
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory


def member(cpts, college, *, actor=None, **data):
    """A member recorded by the coordination (validated), a natural person unless told."""
    values = {"kind": "person", "email": "lucie@exemple.fr"}
    if "professional" not in data:
        values.update(last_name="Durand", first_name="Lucie")
    return create_member(cpts, {"college": college, **values, **data}, actor=actor)


@pytest.fixture
def association(idf):
    cmv = idf["cmv"]
    malakoff = idf["communes"]["92046"]
    statutes = statutes_of.of(cmv)
    colleges = {c.code: c for c in College.objects.filter(cpts=cmv)}
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user

    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne")
    ActivityFactory(professional=gp, commune=malakoff)
    gp_user = RoleFactory(cpts=cmv).user
    ProfessionalAccount.objects.create(user=gp_user, professional=gp)
    mayor = RoleFactory(cpts=cmv, kind=RoleKind.ADHERENT).user

    members = {
        "gp": member(cmv, colleges["liberaux"], professional=gp, commune=malakoff, email=gp_user.email),
        "nurse": member(cmv, colleges["liberaux"], last_name="Petit", first_name="Jean", profession_code="60"),
        "malakoff": member(
            cmv, colleges["collectivites"], kind="legal", legal_kind="commune", name="Commune de Malakoff",
            represented_commune=malakoff, representative_name="Adjointe à la santé", representative_email=mayor.email,
        ),
        "patient": member(cmv, colleges["usagers"], last_name="Roy", first_name="Martine", email="m.roy@exemple.fr"),
    }  # fmt: skip
    return {
        **idf,
        "cpts": cmv,
        "statutes": statutes,
        "colleges": colleges,
        "coordinator": coordinator,
        "coordinator_client": _login(coordinator, with_mfa=True),
        "gp": gp,
        "gp_user": gp_user,
        "mayor": mayor,
        "members": members,
        "today": timezone.localdate(),
        "past": timezone.localdate() - timedelta(days=400),
    }


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


__all__ = ["Member", "member", "reload"]
