"""Issue 18 — booking from the SAS: a regulator of the SAS opens a slot's booking URL, enters the
patient's minimal data, and the slot is booked once, by the desk's own atomic booking."""

import threading
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.core.models import AuditEntry
from maillage.fhir.sas import booking_url
from maillage.unscheduled.actions import SlotError
from maillage.unscheduled.actions.sas_booking import book_from_sas
from maillage.unscheduled.enums import BookingStatus, Origin, RequestStatus, SlotStatus
from maillage.unscheduled.models import Booking, CareRequest, Slot
from tests.factories import RegionFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sas_regulator(idf):
    return RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=idf["region"]).user


@pytest.fixture
def sas_client(sas_regulator, login):
    return login(sas_regulator)


@pytest.fixture
def patient(idf):
    return {"last_name": "Petit", "first_name": "Jeanne", "birth_date": "1980-04-02", "phone": "06 12 34 56 78",
            "commune": idf["communes"]["92046"].pk, "reason": ""}  # fmt: skip


def _data(idf, **changes):
    from datetime import date

    data = {"last_name": "Petit", "first_name": "Jeanne", "birth_date": date(1980, 4, 2), "phone": "0612345678",
            "commune": idf["communes"]["92046"], "reason": ""}  # fmt: skip
    return data | changes


def _url(slot, cpts_slug="cmv"):
    return f"/sas/{cpts_slug}/rdv/{slot.pk}/"


# The action ----------------------------------------------------------------------------------------


def test_the_action_books_once_with_the_sas_origin_and_audits_it(idf, gp, slot_of, soon, sas_regulator):
    slot = slot_of(gp, soon + timedelta(days=3))  # beyond the desk's 24 h window: the SAS chose it
    booking = book_from_sas(slot, _data(idf), sas_regulator)
    request = CareRequest.objects.get()
    assert (request.origin, request.status, request.taken_by) == (Origin.SAS, RequestStatus.BOOKED, sas_regulator)
    assert request.reason == "Orienté par la régulation du SAS"
    assert (booking.request, booking.booked_by, booking.status) == (request, sas_regulator, BookingStatus.BOOKED)
    slot.refresh_from_db()
    assert slot.status == SlotStatus.BOOKED
    entries = {e.action: e for e in AuditEntry.objects.filter(cpts=idf["cmv"])}
    assert entries["unscheduled.request.created"].details == {"origine": "sas"}
    assert entries["unscheduled.slot.booked"].health_data and entries["unscheduled.slot.booked"].actor == sas_regulator
    with pytest.raises(SlotError, match="déjà réservé"):
        book_from_sas(slot, _data(idf, last_name="Autre"), sas_regulator)
    assert Booking.objects.count() == 1 and CareRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"types": ["CPTS"]}, "pas ouvert à la régulation du SAS"),
        ({"types": ["PRO"]}, "pas ouvert à la régulation du SAS"),
        ({"status": "cancelled"}, "déjà réservé ou a été retiré"),
        ({"start": timezone.now() - timedelta(hours=1), "end": timezone.now() - timedelta(minutes=40)}, "passé"),
    ],
)
def test_the_action_refuses_what_the_sas_cannot_book_and_writes_nothing(
    idf, gp, slot_of, soon, sas_regulator, change, message
):
    slot = slot_of(gp, soon)
    Slot.objects.filter(pk=slot.pk).update(**change)
    slot.refresh_from_db()
    with pytest.raises(SlotError, match=message):
        book_from_sas(slot, _data(idf), sas_regulator)
    assert not CareRequest.objects.exists() and not Booking.objects.exists()


def test_a_cpts_without_finess_books_nothing_from_the_sas(idf, gp, slot_of, soon, sas_regulator):
    slot = slot_of(gp, soon)
    type(idf["cmv"]).objects.filter(pk=idf["cmv"].pk).update(finess="")
    slot = Slot.objects.select_related("cpts").get(pk=slot.pk)
    with pytest.raises(SlotError, match="numéro FINESS"):
        book_from_sas(slot, _data(idf), sas_regulator)
    assert not CareRequest.objects.exists()


def test_public_slots_are_open_to_the_sas(idf, gp, slot_of, soon, sas_regulator):
    slot = slot_of(gp, soon, types=("PUBLIC",))
    assert book_from_sas(slot, _data(idf), sas_regulator).status == BookingStatus.BOOKED


# The pages -----------------------------------------------------------------------------------------


def test_the_booking_url_is_the_page_and_takes_the_origin_either_way(idf, gp, slot_of, soon, sas_client, settings):
    settings.SITE_URL = "https://maillage.example.fr"
    slot = slot_of(gp, soon)
    url = booking_url(slot)
    assert url == f"https://maillage.example.fr/sas/cmv/rdv/{slot.pk}/?depuis=sas"
    path = url.removeprefix(settings.SITE_URL)
    for appended in ("&origin=sas", "?origin=sas", ""):
        page = sas_client.get(path + appended)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Réserver ce créneau pour votre patient" in text and gp.full_name in text
        local = timezone.localtime(slot.start)
        assert f"à {local:%H} h {local:%M}" in text  # local time, French style


def test_an_anonymous_regulator_logs_in_and_comes_back_to_the_slot(idf, gp, slot_of, soon):
    slot = slot_of(gp, soon)
    path = f"{_url(slot)}?depuis=sas&origin=sas"
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path, safe='/')}"


def test_the_second_factor_is_required(idf, gp, slot_of, soon, sas_regulator, login):
    slot = slot_of(gp, soon)
    response = login(sas_regulator, with_mfa=False).get(_url(slot))
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_other_cpts_other_region_and_the_cpts_desk_get_404(idf, gp, slot_of, soon, sas_client, login):
    slot = slot_of(gp, soon)
    paris = Slot.objects.create(
        cpts=idf["paris13"], professional=gp, commune=idf["communes"]["75113"], start=soon, end=soon + timedelta(minutes=20),
        types=["SNP"], profession_code="10", profession_label="Médecin",
    )  # fmt: skip
    assert sas_client.get(_url(paris, "cmv")).status_code == 404  # another CPTS's slot under cmv's address
    assert sas_client.get(_url(paris, "paris-13")).status_code == 200  # same région: its own address works
    assert sas_client.get(f"/sas/inexistante/rdv/{slot.pk}/").status_code == 404
    occitanie = RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=RegionFactory(code="76")).user
    assert login(occitanie).get(_url(slot)).status_code == 404
    desk = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    assert login(desk).get(_url(slot)).status_code == 404  # the desk books from its own pages


def test_booking_then_replaying_the_url(idf, gp, slot_of, soon, sas_client, sas_regulator, login, patient):
    slot = slot_of(gp, soon)
    response = sas_client.post(f"{_url(slot)}?depuis=sas&origin=sas", patient)
    assert response.status_code == 302 and response["Location"] == f"{_url(slot)}confirmation/"
    page = sas_client.get(response["Location"]).content.decode()
    request = CareRequest.objects.get()
    assert request.reference in page and "Rendez-vous réservé" in page and "carte Vitale" in page
    assert request.origin == Origin.SAS and request.phone == "06 12 34 56 78"
    # The same URL again: taken, and the regulator who booked it finds their confirmation.
    replay = sas_client.get(f"{_url(slot)}?depuis=sas").content.decode()
    assert "déjà réservé" in replay and request.reference in replay
    again = sas_client.post(_url(slot), patient | {"last_name": "Martin"})
    assert again.status_code == 409 and "déjà réservé" in again.content.decode()
    # Another regulator of the SAS: taken, without the patient's name or the confirmation.
    other = login(RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=idf["region"]).user)
    seen = other.get(_url(slot)).content.decode()
    assert "déjà réservé" in seen and "Petit" not in seen
    assert other.get(f"{_url(slot)}confirmation/")["Location"] == _url(slot)
    assert Booking.objects.count() == 1 and CareRequest.objects.count() == 1


def test_a_form_with_errors_books_nothing_and_says_why_in_french(idf, gp, slot_of, soon, sas_client, patient):
    slot = slot_of(gp, soon)
    response = sas_client.post(_url(slot), patient | {"phone": "12", "birth_date": "", "commune": "999999"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez le téléphone du patient" in page and "Commune inconnue" in page and "obligatoire" in page
    assert not Booking.objects.exists() and not CareRequest.objects.exists()


@pytest.mark.parametrize("case", ["past", "cpts_only", "no_finess", "withdrawn"])
def test_slots_the_sas_cannot_book_answer_a_french_page(idf, gp, slot_of, soon, sas_client, patient, case):
    slot = slot_of(gp, soon)
    if case == "past":
        Slot.objects.filter(pk=slot.pk).update(
            start=soon - timedelta(days=1), end=soon - timedelta(days=1, minutes=-20)
        )
    elif case == "cpts_only":
        Slot.objects.filter(pk=slot.pk).update(types=["CPTS"])
    elif case == "no_finess":
        type(idf["cmv"]).objects.filter(pk=idf["cmv"].pk).update(finess="")
    else:
        Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.CANCELLED)
    page = sas_client.get(_url(slot))
    assert page.status_code == 200 and "Ce créneau ne peut pas être réservé" in page.content.decode()
    assert sas_client.post(_url(slot), patient).status_code == 409
    assert not Booking.objects.exists()


def test_the_desk_says_when_the_cpts_is_hidden_from_the_sas(idf, login):
    coordinator = login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    assert "pas visibles du SAS" not in coordinator.get("/c/cmv/snp/").content.decode()
    type(idf["cmv"]).objects.filter(pk=idf["cmv"].pk).update(finess="")
    page = coordinator.get("/c/cmv/snp/").content.decode()
    assert "Vos créneaux ne sont pas visibles du SAS : renseignez le numéro FINESS de la CPTS" in page


@pytest.mark.django_db(transaction=True)
def test_two_regulators_posting_at_once_book_the_slot_once(idf, gp, slot_of, soon, patient):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads (bench/booking_contention.py)")
    from allauth.mfa.models import Authenticator

    slot = slot_of(gp, soon)
    clients = []
    for _ in range(4):
        user = RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=idf["region"]).user
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier, statuses = threading.Barrier(len(clients)), []

    def attempt(client, n):
        try:
            barrier.wait()
            statuses.append(client.post(_url(slot), patient | {"last_name": f"Patient{n}"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409, 409, 409]
    assert Booking.objects.filter(slot=slot).count() == 1
    assert CareRequest.objects.count() == 1  # the refused ones left no request behind
