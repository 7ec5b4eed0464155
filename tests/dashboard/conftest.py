"""Data for the dashboards' tests (browser tests use `busy` too)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import MatchRun, Proposal
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import CareRequest, Slot
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory


def care_request(cpts, **fields):
    defaults = {"last_name": "Petit", "first_name": "Léa", "reason": "fièvre", "phone": "0601020304"}
    return CareRequest.objects.create(cpts=cpts, commune=cpts.communes().first(), **{**defaults, **fields})


def slot(cpts, professional, start, **fields):
    return Slot.objects.create(
        cpts=cpts,
        professional=professional,
        commune=cpts.communes().first(),
        start=start,
        end=start + timedelta(minutes=20),
        types=["CPTS"],
        profession_code="10",
        profession_label="Médecin",
        **fields,
    )


def busy(idf):
    """CMV with something to do in every line of the coordinator's list."""
    cmv, now = idf["cmv"], timezone.now()
    malakoff = idf["communes"]["92046"]
    for _ in range(2):
        DoctorRequestFactory(cpts=cmv, commune=malakoff, status="received", received_at=now - timedelta(days=3))
    DoctorRequestFactory(cpts=cmv, commune=malakoff, status="qualified", received_at=now - timedelta(days=40))
    proposed = DoctorRequestFactory(cpts=cmv, commune=malakoff, status="proposed")
    # A full doctor (no place left), and a GP member without an offer: both to ask.
    full = DoctorOfferFactory(
        cpts=cmv, commune=malakoff, capacity=1, professional=ProfessionalFactory(first_name="Anne", last_name="Roux")
    )
    Proposal.objects.create(request=proposed, offer=full, expires_at=now + timedelta(hours=10))
    gp_member = RoleFactory(cpts=cmv, kind=RoleKind.MEMBER).user
    ProfessionalAccount.objects.create(
        user=gp_member, professional=ProfessionalFactory(first_name="Paul", last_name="Morel")
    )
    MatchRun.objects.create(cpts=cmv, author_label="coordination", proposals=0, waiting=1)
    care_request(cmv, urgency="today")
    signed = timezone.localdate() - timedelta(days=800)
    Milestone.objects.create(cpts=cmv, kind="letter_of_intent", date=signed - timedelta(days=400))
    Milestone.objects.create(cpts=cmv, kind="aci_signed", date=signed)
    return cmv


@pytest.fixture
def busy_cmv(idf):
    return busy(idf)
