from datetime import date, timedelta

import pytest
from django.utils import timezone

from maillage.doctor_access.actions import intake
from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import Proposal, RequestTransition
from maillage.doctor_access.models.requests import Channel
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory


@pytest.fixture
def cmv(idf):
    return idf["cmv"]


@pytest.fixture
def malakoff(idf):
    return idf["communes"]["92046"]


@pytest.fixture
def submit(cmv, malakoff):
    """Submits a request through the public form: `submit(last_name="Petit", ald=True)`."""

    def _submit(cpts=None, *, channel=Channel.PUBLIC_FORM, actor=None, **fields):
        data = {
            "last_name": "Lefèvre",
            "first_name": "Hélène",
            "birth_date": date(1985, 6, 2),
            "phone": "0601020304",
            "email": "helene.lefevre@exemple.fr",
            "commune": malakoff,
            **fields,
        }
        return intake.submit_request(cpts or cmv, data, channel=channel, actor=actor)

    return _submit


@pytest.fixture
def offer(cmv, malakoff):
    """A GP of cmv who accepts up to 3 new patients a month."""
    return DoctorOfferFactory(cpts=cmv, commune=malakoff, professional=ProfessionalFactory(), capacity=3)


@pytest.fixture
def propose(offer):
    """Puts `request` (qualified) in front of the offer's doctor, as the matching does."""

    def _propose(request, *, to=None, expires_in=timedelta(days=7)):
        move(request, "proposed", None, note="proposé")
        return Proposal.objects.create(
            request=request, offer=to or offer, expires_at=timezone.now() + expires_in, distance_km=1.2
        )

    return _propose


def logged_request(cpts, commune, received_at, *steps, **fields):
    """A request whose transition log says it was received at `received_at`, then went through
    `steps` [(when, state), …]; its current state is the last one."""
    request = DoctorRequestFactory(
        cpts=cpts,
        commune=commune,
        received_at=received_at,
        status_changed_at=steps[-1][0] if steps else received_at,
        status=steps[-1][1] if steps else "received",
        **fields,
    )
    source = ""
    for at, target in [(received_at, "received"), *steps]:
        RequestTransition.objects.create(request=request, source=source, target=target, author_label="test", at=at)
        source = target
    return request
