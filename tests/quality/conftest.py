"""The quality mission in cmv: a GP (whose account is a member's), a nurse and a pharmacist of the
territory, a GAP with the three of them, and the coordinator; a professional of Paris 13."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.quality.actions import groups, protocols
from tests.conftest import _login
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

PDF = b"%PDF-1.4\n%%EOF\n"


def pdf(name="protocole.pdf"):
    return SimpleUploadedFile(name, PDF)


@pytest.fixture
def quality(idf):
    cmv, malakoff = idf["cmv"], idf["communes"]["92046"]
    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne")
    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    pharmacist = ProfessionalFactory(last_name="Martin", first_name="Paul", profession_code="21",
                                     profession_label="Pharmacien")  # fmt: skip
    for person in (gp, nurse, pharmacist):
        ActivityFactory(professional=person, commune=malakoff)
    outsider = ProfessionalFactory(last_name="Lointain", first_name="Marc")
    ActivityFactory(professional=outsider, commune=idf["communes"]["75113"])
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    gp_user = RoleFactory(cpts=cmv).user
    ProfessionalAccount.objects.create(user=gp_user, professional=gp)
    group = groups.create_group(cmv, kind="gap", name="GAP Malakoff", actor=coordinator)
    for person in (gp, nurse, pharmacist):
        groups.add_member(group, person, coordinator)
    return {
        **idf,
        "gp": gp,
        "nurse": nurse,
        "pharmacist": pharmacist,
        "outsider": outsider,
        "coordinator": coordinator,
        "gp_user": gp_user,
        "group": group,
    }


@pytest.fixture
def coordinator_web(quality):
    return _login(quality["coordinator"])


def session(group, people, *, day=None, hours="2", cases="", theme="Antibiothérapie"):
    day = day or timezone.localdate()
    return groups.record_session(group, groups.SessionDraft(day, theme, Decimal(hours), list(people), cases), None)


def protocol_in_use(quality, *, title="Cystite simple", validated_on=None, review_in_days=700):
    today = timezone.localdate()
    validated_on = validated_on or today
    draft = protocols.ProtocolDraft(title, professions=["10", "21"], authors=[quality["gp"]])
    found = protocols.create_protocol(quality["cmv"], draft, quality["coordinator"])
    protocols.attach_file(found, pdf())
    protocols.validate(found, validators=[quality["gp"], quality["pharmacist"]], validated_on=validated_on,
                       next_review_on=validated_on + timedelta(days=review_in_days), group=quality["group"])  # fmt: skip
    return protocols.move(found, "in_use", quality["coordinator"])
