"""Issue 17 — crise (centres and shifts, supplies, case map): a crisis of cmv with a centre."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from maillage.crisis.models import Crisis
from maillage.crisis.response_centres import CentreDraft, add_shift, open_centre
from tests.factories import RoleFactory


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


@pytest.fixture
def response(idf):
    return build_response(idf)


def build_response(idf):
    """cmv's crisis in progress, a vaccination centre with shifts tomorrow, people of cmv and paris13."""
    cmv = idf["cmv"]
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    members = [RoleFactory(cpts=cmv, user__first_name=f"Prénom{n}", user__last_name=f"Nom{n}").user for n in range(3)]
    today = timezone.localdate()
    crisis = Crisis.objects.create(cpts=cmv, kind="epidemic", title="Épidémie de grippe", starts_on=today - timedelta(days=10),
                                   declared_by="ars", recognised_on=today - timedelta(days=10))  # fmt: skip
    centre = open_centre(
        crisis, CentreDraft("vaccination", "Centre de vaccination de Malakoff", "1 place du 11-Novembre",
                            today - timedelta(days=5), idf["communes"]["92046"], "8 h – 18 h"), coordinator,
    )  # fmt: skip
    tomorrow = today + timedelta(days=1)
    morning = add_shift(centre, coordinator, starts_at=at(tomorrow, 8), ends_at=at(tomorrow, 12), capacity=2,
                        role="vaccinate")  # fmt: skip
    late_morning = add_shift(centre, coordinator, starts_at=at(tomorrow, 11), ends_at=at(tomorrow, 14), capacity=2,
                             role="reception")  # fmt: skip
    afternoon = add_shift(centre, coordinator, starts_at=at(tomorrow, 14), ends_at=at(tomorrow, 18), capacity=1,
                          role="vaccinate")  # fmt: skip
    other = Crisis.objects.create(cpts=idf["paris13"], kind="epidemic", title="Autre", starts_on=date(2026, 1, 1),
                                  declared_by="cpts")  # fmt: skip
    return {
        "cmv": cmv, "crisis": crisis, "centre": centre, "coordinator": coordinator, "members": members,
        "morning": morning, "late_morning": late_morning, "afternoon": afternoon, "other_crisis": other,
        "other_member": RoleFactory(cpts=idf["paris13"]).user, "communes": idf["communes"],
    }  # fmt: skip
