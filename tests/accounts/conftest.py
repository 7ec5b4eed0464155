import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import Proposal
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user) -> str:
    """Gives `user` a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def gp(idf):
    return gp_with_a_proposed_patient(idf)


def gp_with_a_proposed_patient(idf):
    """A GP member of cmv with a patient (Lefèvre) proposed to them: what « mes patients » shows."""
    role = RoleFactory(cpts=idf["cmv"])
    professional = ProfessionalFactory()
    ProfessionalAccount.objects.create(user=role.user, professional=professional)
    malakoff = idf["communes"]["92046"]
    offer = DoctorOfferFactory(cpts=idf["cmv"], professional=professional, user=role.user, commune=malakoff)
    patient = DoctorRequestFactory(cpts=idf["cmv"], commune=malakoff, status="proposed", last_name="Lefèvre")
    Proposal.objects.create(request=patient, offer=offer, expires_at=timezone.now() + timedelta(days=7))
    return role.user
