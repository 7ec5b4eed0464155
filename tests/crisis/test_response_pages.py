"""Issue 17 — the crisis response's pages: a member signs up from their space, the coordinator
manages, the secret-kept map for members, another CPTS's objects answer 404, bad input a French 400."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.crisis.models import CaseCount, Centre, ShiftSignup, SupplyMovement
from maillage.crisis.response_cases import enter, monday
from maillage.crisis.response_supplies import add_item


def test_a_member_signs_up_from_the_volunteers_space(response, login):
    member = response["members"][0]
    client = login(member, with_mfa=True)
    page = client.get("/c/cmv/crise/benevolat/").content.decode()
    assert "Centre de vaccination de Malakoff" in page and "M'inscrire" in page
    answer = client.post(f"/c/cmv/crise/creneaux/{response['morning'].pk}/inscription/", {"retour": "benevolat"})
    assert answer.status_code == 302 and answer["Location"] == "/c/cmv/crise/benevolat/"
    page = client.get("/c/cmv/crise/benevolat/").content.decode()
    assert "Vous êtes inscrit" in page and 'data-testid="my-shift"' in page
    again = client.post(f"/c/cmv/crise/creneaux/{response['late_morning'].pk}/inscription/", follow=True)
    assert "se chevauchent" in again.content.decode()
    assert ShiftSignup.objects.filter(volunteer=member).count() == 1


def test_another_cpts_objects_answer_404(response, login):
    client = login(response["coordinator"], with_mfa=True)
    other = response["other_crisis"]
    for url in (f"/c/cmv/crise/{other.pk}/centres/", f"/c/cmv/crise/{other.pk}/stocks/",
                f"/c/cmv/crise/{other.pk}/cas/", f"/c/cmv/crise/{other.pk}/heures/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    stranger = login(response["other_member"], with_mfa=True)
    assert stranger.post(f"/c/paris-13/crise/creneaux/{response['morning'].pk}/inscription/").status_code == 404
    assert stranger.get(f"/c/cmv/crise/centres/{response['centre'].pk}/").status_code == 404
    member = login(response["members"][1], with_mfa=True)
    signup = ShiftSignup.objects.create(shift=response["morning"], volunteer=response["members"][0])
    assert member.post(f"/c/cmv/crise/inscriptions/{signup.pk}/retirer/").status_code == 404


def test_the_coordinator_opens_a_centre_and_a_bad_shift_is_a_french_400(response, login):
    client = login(response["coordinator"], with_mfa=True)
    crisis = response["crisis"]
    today = timezone.localdate()
    answer = client.post(f"/c/cmv/crise/{crisis.pk}/centres/nouveau/", {
        "kind": "drive", "name": "Drive de Vanves", "address": "Parking du stade", "commune": "92075",
        "opening_hours": "9 h – 13 h", "opened_on": today.isoformat(),
    })  # fmt: skip
    centre = Centre.objects.get(name="Drive de Vanves")
    assert answer.status_code == 302 and centre.commune_id == "92075"
    bad = client.post(f"/c/cmv/crise/centres/{centre.pk}/creneaux/", {
        "day": today.isoformat(), "start": "12:00", "end": "10:00", "capacity": "2", "role": "test"})  # fmt: skip
    assert bad.status_code == 400 and "La fin du créneau doit être après son début" in bad.content.decode()
    off = client.post(f"/c/cmv/crise/{crisis.pk}/centres/nouveau/", {
        "kind": "drive", "name": "X", "address": "Y", "commune": "92040", "opened_on": today.isoformat()})  # fmt: skip
    assert off.status_code == 400 and not Centre.objects.filter(name="X").exists()


def test_a_distribution_over_the_stock_is_a_french_400(response, login):
    client = login(response["coordinator"], with_mfa=True)
    crisis = response["crisis"]
    item = add_item(crisis, response["coordinator"], name="Surblouses", threshold=10)
    today = timezone.localdate().isoformat()
    ok = client.post(f"/c/cmv/crise/{crisis.pk}/stocks/mouvements/",
                     {"item": item.pk, "kind": "received", "quantity": "40", "on": today})  # fmt: skip
    assert ok.status_code == 302
    bad = client.post(f"/c/cmv/crise/{crisis.pk}/stocks/mouvements/",
                      {"item": item.pk, "kind": "distributed", "quantity": "41", "on": today, "recipient": "EHPAD"})  # fmt: skip
    assert bad.status_code == 400 and "Stock insuffisant" in bad.content.decode()
    assert SupplyMovement.objects.count() == 1
    page = client.get(f"/c/cmv/crise/{crisis.pk}/stocks/").content.decode()
    assert "Surblouses" in page and ">40<" in page


def test_members_see_the_map_with_small_counts_hidden(response, login):
    crisis = response["crisis"]
    week = monday(timezone.localdate()) - timedelta(days=7)
    enter(crisis, response["coordinator"], commune_code="92046", week=week, count=3)
    enter(crisis, response["coordinator"], commune_code="92020", week=week, count=17)
    member = login(response["members"][0], with_mfa=True)
    page = member.get(f"/c/cmv/crise/{crisis.pk}/cas/").content.decode()
    assert "&lt; 5" in page and ">17<" in page and ">3<" not in page and "Importer" not in page
    features = member.get(f"/c/cmv/crise/{crisis.pk}/cas.geojson").json()["features"]
    status = {f["properties"]["code"]: f["properties"]["statut"] for f in features}
    assert status.get("92046", "< 5 cas").startswith("< 5 cas")
    coordinator = login(response["coordinator"], with_mfa=True)
    assert ">3<" in coordinator.get(f"/c/cmv/crise/{crisis.pk}/cas/").content.decode()


def test_the_import_page_shows_the_refused_lines_and_saves_nothing(response, login):
    client = login(response["coordinator"], with_mfa=True)
    crisis = response["crisis"]
    week = monday(timezone.localdate()) - timedelta(days=7)
    upload = SimpleUploadedFile("cas.csv", f"code_insee;semaine;cas\n92046;{week};-4\n".encode())
    answer = client.post(f"/c/cmv/crise/{crisis.pk}/cas/importer/", {"file": upload, "apply": "on"})
    page = answer.content.decode()
    assert answer.status_code == 400 and "Ligne 2 : nombre de cas négatif (-4)" in page and "fichier refusé" in page
    assert not CaseCount.objects.exists()
    upload = SimpleUploadedFile("cas.csv", f"code_insee;semaine;cas\n92046;{week};4\n".encode())
    dry = client.post(f"/c/cmv/crise/{crisis.pk}/cas/importer/", {"file": upload})
    assert dry.status_code == 200 and "simulation" in dry.content.decode() and not CaseCount.objects.exists()


def test_every_field_of_the_forms_is_bounded():
    """tests/test_bad_input.py scans `*.forms` modules; these forms live in `forms_response`."""
    from maillage.www.crisis import forms_response
    from tests.test_bad_input import _unbounded

    forms = [forms_response.CentreForm, forms_response.ShiftForm, forms_response.EnrolForm, forms_response.ItemForm,
             forms_response.MovementForm, forms_response.CaseForm, forms_response.CaseImportForm]  # fmt: skip
    fields = [(f"{cls.__name__}.{name}", field) for cls in forms for name, field in cls.base_fields.items()]
    assert [problem for name, field in fields if (problem := _unbounded(name, field))] == []
