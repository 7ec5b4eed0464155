from datetime import date

from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.doctor_access.actions.intake import find_duplicate
from maillage.doctor_access.actions.lifecycle import update_weights
from maillage.doctor_access.models import DoctorRequest
from maillage.doctor_access.priority import age_on
from maillage.doctor_access.states import Status


def _anniversary(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def test_a_request_is_received_logged_and_audited(submit, cmv):
    request = submit(ald=True)
    assert request.status == Status.RECEIVED
    assert request.consent_version and request.consented_at
    transition = request.transitions.get()
    assert (transition.source, transition.target) == ("", Status.RECEIVED)
    assert transition.author_label == "le patient"
    entry = AuditEntry.objects.get(action="doctor_access.request.created")
    assert entry.health_data and entry.cpts == cmv and entry.object_id == str(request.pk)


def test_the_patient_is_told_by_email_once_the_request_is_saved(submit, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()
    run_pending()
    assert [m.to for m in mailoutbox] == [["helene.lefevre@exemple.fr"]]
    assert request.reference in mailoutbox[0].body


def test_priority_with_the_default_weights(submit):
    assert submit().priority == 0
    assert submit(last_name="A", ald=True).priority == 4
    assert submit(last_name="B", c2s_ame=True, precarity=True).priority == 4
    # Weights of criteria left at 0 by default add nothing.
    assert submit(last_name="C", isolation=True, pregnancy=True).priority == 0


def test_age_70_is_computed_from_the_birth_date(submit):
    today = timezone.localdate()
    seventy_today = _anniversary(today, 70)
    assert age_on(seventy_today, today) == 70
    assert submit(last_name="A", birth_date=seventy_today).priority == 3
    assert submit(last_name="B", birth_date=seventy_today.replace(year=seventy_today.year + 1)).priority == 0
    assert submit(last_name="C", birth_date=seventy_today, ald=True).priority == 7
    assert submit(last_name="D", birth_date=None).priority == 0


def test_priority_with_the_cpts_own_weights(submit, cmv, idf, coordinator):
    update_weights(cmv, [("isolation", 10), ("ald", 1)], coordinator)
    assert submit(isolation=True).priority == 10
    assert submit(last_name="A", ald=True, isolation=True).priority == 11
    # Another CPTS keeps the defaults.
    assert submit(idf["issy"], last_name="B", isolation=True, commune=idf["communes"]["92040"]).priority == 0


def test_editing_the_weights_recomputes_open_requests_only(submit, cmv, coordinator):
    waiting = submit(ald=True)
    closed = submit(last_name="Clos", ald=True)
    DoctorRequest.objects.filter(pk=closed.pk).update(status=Status.CLOSED, close_reason="withdrawn")
    assert update_weights(cmv, [("ald", 9)], coordinator) == 1
    waiting.refresh_from_db()
    closed.refresh_from_db()
    assert (waiting.priority, closed.priority) == (9, 4)
    assert AuditEntry.objects.filter(action="doctor_access.weights.updated").count() == 1


def test_a_duplicate_is_flagged_not_merged(submit):
    first = submit(last_name="Lefèvre", first_name="Hélène")
    second = submit(last_name="LEFEVRE", first_name="helene", phone="0700000000")
    assert second.pk != first.pk
    assert second.possible_duplicate_of == first
    assert first.possible_duplicate_of is None
    assert DoctorRequest.objects.count() == 2
    assert (first.phone, second.phone) == ("0601020304", "0700000000")
    # The earliest one is pointed to by the later ones.
    third = submit(last_name="lefevre", first_name="HÉLÈNE")
    assert third.possible_duplicate_of == first


def test_not_a_duplicate_when_birth_date_commune_or_cpts_differ(submit, idf):
    submit()
    assert submit(birth_date=date(1985, 6, 3)).possible_duplicate_of is None
    assert submit(commune=idf["communes"]["92020"]).possible_duplicate_of is None
    assert submit(idf["issy"], commune=idf["communes"]["92046"]).possible_duplicate_of is None
    assert submit(first_name="Hélèna").possible_duplicate_of is None


def test_find_duplicate_ignores_anonymised_requests_and_the_request_itself(submit, cmv, malakoff):
    first = submit()
    assert find_duplicate(cmv, "Lefevre", "Helene", date(1985, 6, 2), malakoff, exclude=first) is None
    assert find_duplicate(cmv, "Lefevre", "Helene", date(1985, 6, 2), malakoff) == first
    DoctorRequest.objects.filter(pk=first.pk).update(anonymised_at=timezone.now())
    assert find_duplicate(cmv, "Lefevre", "Helene", date(1985, 6, 2), malakoff) is None


def test_a_referral_records_who_referred(submit, coordinator):
    request = submit(channel="referral", actor=coordinator)
    assert request.referred_by == coordinator and request.created_by == coordinator
    assert request.transitions.get().author == coordinator
