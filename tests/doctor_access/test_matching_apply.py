"""The matching as it is applied: proposals written once, whatever the concurrency."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from maillage.doctor_access.actions import matching
from maillage.doctor_access.models import Proposal
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, UserFactory


def _pool(idf, *, patients=6, places=(2, 2)):
    malakoff, vanves = idf["communes"]["92046"], idf["communes"]["92075"]
    for n in range(patients):
        DoctorRequestFactory(cpts=idf["cmv"], commune=malakoff if n % 2 else vanves, priority=n % 3)
    for capacity in places:
        DoctorOfferFactory(
            cpts=idf["cmv"], professional=ProfessionalFactory(), user=UserFactory(), commune=malakoff, capacity=capacity
        )


@pytest.mark.django_db
def test_applying_twice_proposes_each_patient_once(idf):
    _pool(idf)
    first, _ = matching.apply(idf["cmv"], None)
    second, _ = matching.apply(idf["cmv"], None)
    assert len(first.proposals) == 4  # the places, not the patients, are the limit
    assert second.proposals == []  # the places are held by the pending proposals
    assert Proposal.objects.count() == 4
    assert sorted(p.request.priority for p in first.proposals) == [1, 1, 2, 2]  # priority first


@pytest.mark.django_db
def test_a_patient_cannot_have_two_pending_proposals(idf):
    _pool(idf, patients=1, places=(1, 1))
    request = idf["cmv"].doctor_requests.get()
    offers = list(idf["cmv"].doctor_offers.all())
    Proposal.objects.create(request=request, offer=offers[0], expires_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(request=request, offer=offers[1], expires_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_applying_at_once_give_no_double_assignment(idf):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    _pool(idf, patients=10, places=(3, 3))
    barrier, errors = threading.Barrier(2), []

    def apply():
        try:
            barrier.wait()
            matching.apply(idf["cmv"], None)
        except Exception as exc:  # a refused concurrent apply is allowed, a double one is not
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pending = Proposal.objects.filter(status=Proposal.Status.PENDING)
    assert pending.count() == 6  # every place used once
    assert pending.values("request").distinct().count() == 6  # no patient twice
    assert len(errors) <= 1
