"""The directory's answers (« accepte de nouveaux patients », « soins non programmés ») follow the
GP's offer and slots: one truth, never a contradicting flag."""

import pytest

from maillage.directory.actions import update_entry
from maillage.directory.models import DirectoryEntry
from maillage.doctor_access.actions.doctors import save_offer
from maillage.unscheduled.actions.slots import withdraw_slot

pytestmark = pytest.mark.django_db


def _entry(idf, gp):
    return DirectoryEntry.objects.get(cpts=idf["cmv"], professional=gp)


def _offer(idf, gp, member, **changes):
    data = {"capacity": 5, "mode": "monthly", "commune": idf["communes"]["92046"], "paused": False, **changes}
    return save_offer(idf["cmv"], member, gp, data, member)


def test_the_offer_makes_the_new_patients_answer(idf, gp, member):
    _offer(idf, gp, member)
    entry = _entry(idf, gp)
    assert (entry.accepts_new_patients, entry.new_patient_capacity) == (True, 5)
    _offer(idf, gp, member, paused=True)
    entry = _entry(idf, gp)
    assert (entry.accepts_new_patients, entry.new_patient_capacity) == (False, None)
    _offer(idf, gp, member, paused=False, capacity=0)
    assert _entry(idf, gp).accepts_new_patients is False


def test_the_slots_make_the_unscheduled_care_answer(idf, gp, member, slot_of, soon):
    slot = slot_of(gp, soon)
    assert _entry(idf, gp).takes_part_in_snp is True
    withdraw_slot(slot, member)
    assert _entry(idf, gp).takes_part_in_snp is False


def test_a_typed_flag_cannot_contradict_the_offer_and_the_slots(idf, gp, member, slot_of, soon):
    _offer(idf, gp, member)
    slot_of(gp, soon)
    entry, _ = update_entry(
        idf["cmv"], gp, {"accepts_new_patients": False, "takes_part_in_snp": False, "languages": ["anglais"]}, member
    )
    entry.refresh_from_db()
    assert (entry.accepts_new_patients, entry.takes_part_in_snp, entry.languages) == (True, True, ["anglais"])


def test_without_offer_nor_slots_the_typed_answer_stands(idf, nurse, member):
    entry, _ = update_entry(idf["cmv"], nurse, {"accepts_new_patients": True, "takes_part_in_snp": True}, member)
    assert (entry.accepts_new_patients, entry.takes_part_in_snp) == (True, True)


def test_the_gp_space_says_what_the_directory_answers_and_why(idf, gp, member, slot_of, soon, login):
    from maillage.directory.models import ProfessionalAccount

    ProfessionalAccount.objects.create(user=member, professional=gp)
    _offer(idf, gp, member, paused=True)
    client = login(member)
    page = client.get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    assert "Accepte de nouveaux patients</dt><dd>non" in page and "ne participe pas" in page
    _offer(idf, gp, member, paused=False)
    slot_of(gp, soon)
    page = client.get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    assert "Accepte de nouveaux patients</dt><dd>oui" in page and "participe <span" in page
    assert "1 créneau à venir" in page
    fiche = client.get(f"/c/cmv/annuaire/pro/{gp.national_id}/").content.decode()
    assert "oui (5 au plus)" in fiche and "d'après son offre de médecin traitant" in fiche


def test_the_daily_job_ends_the_answer_a_month_after_the_last_slot(idf, gp, nurse, member, slot_of, soon):
    from datetime import timedelta

    from maillage.core import periodic
    from maillage.core.models import AuditEntry
    from maillage.unscheduled.models import Slot

    slot_of(gp, soon)
    slot_of(nurse, soon)
    assert _entry(idf, gp).takes_part_in_snp is True
    # The GP's slot is now 31 days old (slots are never opened in the past: moved by hand); the
    # nurse's 29 days, still recent.
    for professional, days in ((gp, 31), (nurse, 29)):
        start = soon - timedelta(days=days)
        Slot.objects.filter(professional=professional).update(start=start, end=start + timedelta(minutes=20))
    run = periodic.run_job(periodic.get("directory.refresh_answers"), soon, force=True)
    assert run.summary == "1 fiche mise à jour"
    assert _entry(idf, gp).takes_part_in_snp is False and _entry(idf, nurse).takes_part_in_snp is True
    change = AuditEntry.objects.filter(action="directory.entry.updated").latest("at")
    assert change.details["changes"]["takes_part_in_snp"] == {"before": True, "after": False}
