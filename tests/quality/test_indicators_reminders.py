"""The quality mission's indicators (registry, yearly activity lines) and the review reminders."""

from datetime import date, timedelta

from django.core import mail
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.periodic import REGISTRY as JOBS
from maillage.indicators import registry
from maillage.indicators.activity import for_year
from maillage.indicators.periods import Period
from maillage.quality import indicators
from maillage.quality.actions import events, protocols
from maillage.quality.models import Protocol, ProtocolTransition
from maillage.quality.reminders import send_reminders
from maillage.www.dashboard import todo
from tests.quality.conftest import protocol_in_use, session

TODAY = timezone.localdate


def test_the_indicators_count_what_the_year_did(quality):
    year = TODAY().year
    g, gp, nurse = quality["group"], quality["gp"], quality["nurse"]
    session(g, [gp, nurse], day=date(year, 1, 10), hours="2")
    session(g, [gp], day=date(year, 1, 20), hours="1.5")
    session(g, [gp, nurse, quality["pharmacist"]], day=date(year - 1, 6, 1), hours="3")
    protocol_in_use(quality)
    event = events.declare_event(quality["cmv"], events.EventDraft(date(year, 1, 2), "fall", "none", "Chute."))
    events.analyse_event(event, session=g.sessions.get(held_on=date(year, 1, 10)), analysis="Sol glissant.")
    events.mark_done(events.add_action(event, title="Barre d'appui", owner="IDE", due_on=TODAY()))
    values = registry.compute(quality["cmv"], Period.year(year), indicators.CODES)
    assert values == {
        "quality.sessions_held": 2,
        "quality.professionals_attending": 2,
        "quality.attendance_hours": 5.5,
        "quality.protocols_in_use": 1,
        "quality.protocols_reviewed_on_time": None,  # nothing due this year
        "quality.events_declared": 1,
        "quality.events_analysed": 1,
        "quality.actions_done": 1,
    }
    assert registry.compute(quality["cmv"], Period.year(year - 1), ["quality.attendance_hours"]) == {
        "quality.attendance_hours": 9.0
    }
    lines = dict(for_year(quality["cmv"], year))["qualité et pertinence des soins"]
    assert [(line.label, line.value) for line in lines][:4] == [
        ("Séances de groupes d'analyse de pratiques", 2),
        ("Professionnels ayant participé", 2),
        ("Heures de participation", 5.5),
        ("Protocoles pluriprofessionnels en usage", 1),
    ]


def test_protocols_in_use_read_the_log_at_the_period_end(quality):
    found = protocol_in_use(quality)
    ProtocolTransition.objects.filter(protocol=found).update(at=timezone.now() - timedelta(days=800))
    protocols.move(found, "retired")
    year = TODAY().year
    assert indicators.protocols_in_use(quality["cmv"], Period.year(year - 2)) == 1
    assert indicators.protocols_in_use(quality["cmv"], Period.year(year)) == 0


def test_reviewed_on_time_counts_reviews_due_in_the_period_and_the_overdue_ones(quality):
    today = TODAY()
    late = protocol_in_use(quality, title="Late", validated_on=today - timedelta(days=400), review_in_days=390)
    on_time = protocol_in_use(quality, title="Ok", validated_on=today - timedelta(days=400), review_in_days=398)
    protocols.review(on_time, reviewed_on=today - timedelta(days=3), next_review_on=today + timedelta(days=700))
    protocol_in_use(quality, title="Overdue", validated_on=today - timedelta(days=400), review_in_days=399)
    protocols.review(late, reviewed_on=today, next_review_on=today + timedelta(days=700))
    period = Period(today - timedelta(days=30), today + timedelta(days=1), "test")
    # due in the period: Late (reviewed late), Ok (on time), Overdue (past, not reviewed)
    assert indicators.protocols_reviewed_on_time(quality["cmv"], period) == round(100 / 3, 1)
    indicator = registry.get(indicators.ON_TIME)
    assert registry.for_region(indicator, {indicators.ON_TIME: 33.3}, cpts=quality["cmv"], period=period).startswith(
        "non diffusé"
    )


def test_a_protocol_at_its_review_date_reminds_the_coordinators_and_authors_once(quality, mailoutbox):
    today = TODAY()
    protocol_in_use(quality, validated_on=today - timedelta(days=365), review_in_days=360)
    protocol_in_use(quality, title="Plus tard", review_in_days=300)
    assert "quality.review_reminders" in JOBS
    sent = send_reminders(today)
    assert (sent.protocols, sent.emails) == (1, 2)  # the coordinator and the GP author
    run_pending()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([quality["coordinator"].email, quality["gp_user"].email])
    body = mailoutbox[0].body
    assert "1 protocole pluriprofessionnel de la CPTS Châtillon-Malakoff-Vanves arrive à sa date de révision" in body
    assert "/c/cmv/qualite/protocoles/" in body and "Cystite" not in body  # a link, no title
    again = send_reminders(today)
    assert again.protocols == 0
    assert Protocol.objects.filter(reminded_for__isnull=False).count() == 1


def test_the_coordinators_to_do_list_names_the_protocols_to_review(quality):
    today = TODAY()
    protocol_in_use(quality, title="Diabète", validated_on=today - timedelta(days=365), review_in_days=380)
    lines = [line for line in todo.coordinator(quality["cmv"]) if "à réviser" in line.text]
    assert lines[0].text.startswith("1 protocole à réviser")
    assert lines[0].names == [f"Diabète (le {today + timedelta(days=15):%d/%m/%Y})"]
    assert mail.outbox == []
