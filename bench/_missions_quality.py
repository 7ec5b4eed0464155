"""Issue 17 — the quality mission's share of bench/missions.py: `populate` writes, for each CPTS and
year, the activity of a CPTS that runs its peer groups and its protocols' library (two groups of
eight members, eight sessions a group a year, six present at each; three protocols a year going
draft → validated → in use, reviewed — some late — when due; six adverse events a year, most analysed,
two actions each), in bulk through `_common.insert`. `CODES` are the indicators bench/missions.py
computes for every CPTS and year."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from _common import insert, reset_sequences

CODES = [
    "quality.sessions_held",
    "quality.professionals_attending",
    "quality.attendance_hours",
    "quality.protocols_in_use",
    "quality.protocols_reviewed_on_time",
    "quality.events_declared",
    "quality.events_analysed",
    "quality.actions_done",
]
GROUPS, MEMBERS, SESSIONS, PRESENT = 2, 8, 8, 6
PROTOCOLS, EVENTS, ACTIONS = 3, 6, 2
PROFESSIONS = ["10", "21", "60", "70", "50"]


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _people(cpts_ids: list[int]) -> dict[int, list[int]]:
    """Professionals working on each CPTS's territory (its communes' active sites); a CPTS without
    any borrows from the whole register, so that every CPTS has its groups."""
    from maillage.directory.models import Activity, Professional

    found: dict[int, list[int]] = {pk: [] for pk in cpts_ids}
    sites = Activity.objects.filter(active=True, commune__cpts_links__cpts_id__in=cpts_ids)
    for cpts_id, professional_id in sites.values_list("commune__cpts_links__cpts_id", "professional_id").distinct():
        if len(found[cpts_id]) < GROUPS * MEMBERS:
            found[cpts_id].append(professional_id)
    pool = list(Professional.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    for n, cpts_id in enumerate(cpts_ids):
        if len(found[cpts_id]) < MEMBERS and pool:
            start = (n * GROUPS * MEMBERS) % len(pool)
            found[cpts_id] = (pool[start:] + pool[:start])[: GROUPS * MEMBERS]
    return found


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _day(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def populate(cpts_ids: list[int], years: list[int], rng: random.Random) -> dict[str, int]:
    from maillage.quality.models import (
        AdverseEvent,
        EventAction,
        GroupMember,
        GroupSession,
        PeerGroup,
        Protocol,
        ProtocolReview,
        ProtocolTransition,
        SessionAttendance,
    )

    people = _people(cpts_ids)
    first = min(years)
    today = date.today()
    ids = {m: _next_id(m) for m in (PeerGroup, GroupMember, GroupSession, SessionAttendance, Protocol,
                                     ProtocolTransition, ProtocolReview, AdverseEvent, EventAction)}  # fmt: skip
    through = Protocol.authors.through
    ids[through] = _next_id(through)
    rows: dict = {m: [] for m in ids}

    def add(model, *values):
        rows[model].append((ids[model], *values))
        ids[model] += 1
        return ids[model] - 1

    for cpts_id in cpts_ids:
        staff = people[cpts_id]
        if not staff:
            continue
        session_ids = []
        for g in range(GROUPS):
            members = staff[g * MEMBERS : (g + 1) * MEMBERS] or staff[:MEMBERS]
            group = add(PeerGroup, cpts_id, "gap" if g == 0 else "peers", f"Groupe {g + 1}", _at(date(first, 1, 1)))
            for professional in members:
                add(GroupMember, group, professional, date(first, 1, 1))
            for year in years:
                for _ in range(SESSIONS):
                    day = _day(rng, year)
                    hours = Decimal(rng.choice(["1.5", "2", "2.5", "3"]))
                    session = add(GroupSession, group, cpts_id, day, "Analyse de pratiques", hours, _at(day))
                    session_ids.append((session, day))
                    for professional in rng.sample(members, min(PRESENT, len(members))):
                        add(SessionAttendance, session, professional, hours)
        for year in years:
            for n in range(PROTOCOLS):
                created = _day(rng, year)
                validated, in_use = created + timedelta(days=30), created + timedelta(days=45)
                due = in_use + timedelta(days=rng.choice([365, 540, 730]))
                reviews = []
                while due < today and len(reviews) < 4:  # reviewed when due, one in five late
                    done = due + timedelta(days=rng.randrange(10, 60) if rng.random() < 0.2 else -rng.randrange(0, 20))
                    if done >= today:
                        break
                    reviews.append((due, done))
                    due = done + timedelta(days=730)
                protocol = add(Protocol, cpts_id, f"Protocole {year}-{n + 1}", 1, "in_use",
                               json.dumps(rng.sample(PROFESSIONS, 2)), validated, due, _at(created), "")  # fmt: skip
                add(through, protocol, staff[n % len(staff)])
                for source, target, day in (("", "draft", created), ("draft", "validated", validated),
                                            ("validated", "in_use", in_use)):  # fmt: skip
                    add(ProtocolTransition, protocol, source, target, "système", _at(day))
                for due_on, done in reviews:
                    add(ProtocolReview, protocol, cpts_id, due_on, done, done + timedelta(days=730))
            for _ in range(EVENTS):
                day = _day(rng, year)
                later = [(pk, held) for pk, held in session_ids if held >= day]
                analysed = later[rng.randrange(len(later))] if later and rng.random() < 0.8 else None
                event = add(AdverseEvent, cpts_id, day, rng.choice(["medication", "transmission", "fall"]), "none",
                            "Événement de démonstration.", _at(day), "analysed" if analysed else "declared",
                            analysed[0] if analysed else None, analysed[1] if analysed else None)  # fmt: skip
                if analysed:
                    for _ in range(ACTIONS):
                        due_on = analysed[1] + timedelta(days=60)
                        done = due_on if due_on < today and rng.random() < 0.7 else None
                        add(EventAction, event, cpts_id, "Action", "La coordination", due_on, done, _at(analysed[1]))

    columns = {
        PeerGroup: ["id", "cpts_id", "kind", "name", "created_at"],
        GroupMember: ["id", "group_id", "professional_id", "joined_on"],
        GroupSession: ["id", "group_id", "cpts_id", "held_on", "theme", "hours", "created_at"],
        SessionAttendance: ["id", "session_id", "professional_id", "hours"],
        Protocol: [
            "id",
            "cpts_id",
            "title",
            "number",
            "status",
            "professions",
            "validated_on",
            "next_review_on",
            "created_at",
            "file",
        ],
        through: ["id", "protocol_id", "professional_id"],
        ProtocolTransition: ["id", "protocol_id", "source", "target", "author_label", "at"],
        ProtocolReview: ["id", "protocol_id", "cpts_id", "due_on", "reviewed_on", "next_review_on"],
        AdverseEvent: [
            "id",
            "cpts_id",
            "occurred_on",
            "category",
            "severity",
            "description",
            "declared_at",
            "status",
            "session_id",
            "analysed_on",
        ],
        EventAction: ["id", "event_id", "cpts_id", "title", "owner", "due_on", "done_on", "created_at"],
    }
    written = {}
    for model, names in columns.items():
        written[model._meta.db_table] = insert(model, names, rows[model])
    reset_sequences(*columns)
    return written
