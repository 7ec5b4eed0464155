"""The national-size instance of bench/load.py, and the plan its load clients follow (worker side:
Django is set up against the primary, directly, not through PgBouncer).

`build(scale, folder)` writes every row once, deterministically (seeded), with the project's own
generators and importers — never copies of them:
- the directory: the synthetic FINESS sites and RPPS extraction of bench/fhir_directory.py,
  imported by `import_finess --apply` and `import_rpps --apply` as a user runs them;
- the CPTS, the professionals who open slots and their slots: bench/slot_search.py's generators
  (one CPTS, the desk's, gets a tenth of the professionals so that the desk bookings of a whole
  run each find a distinct free slot);
- the waiting list (médecin traitant requests): COPY in batches (_common.insert);
- accounts: coordinators and regulators with a TOTP authenticator, open care requests at the desk.

`prepare(scale)` runs before each measurement on the built (or restored) database: logged-in
sessions, a SAS consumer's key, and the requests the clients draw from, written as a JSON plan.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from _common import insert, log, number, reset_sequences, stopwatch

SEED = 20261219
DESK_SHARE = 0.10  # of the slot professionals, in the desk's CPTS
COORDINATORS = 20  # CPTS with a logged-in coordinator
REGULATOR_SESSIONS = 4
DESK_SLUG_INDEX = 0  # the desk's CPTS: the first one made


def build(scale: dict, folder: Path, database_url: str) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone
    from fhir_directory import settle, write_files
    from rpps_import import run_import
    from slot_search import make_cpts, make_professionals, make_slots

    rng = random.Random(SEED)
    figures = {}
    with stopwatch(f"writing {number(scale['rows'])} RPPS lines and the FINESS sites"):
        finess, rpps, _day = write_files(folder, scale["rows"])
    with stopwatch("import_finess --apply"):
        call_command("import_finess", str(finess), "--apply", stdout=StringIO())
    with stopwatch(f"import_rpps --apply ({number(scale['rows'])} lines)"):
        figures["rpps_import"] = run_import(str(rpps), database_url)["seconds"]
    with stopwatch(f"{scale['cpts']} CPTS, {number(scale['professionals'])} professionals opening slots"):
        territories = make_cpts(scale["cpts"], rng)
        desk = territories[DESK_SLUG_INDEX]
        # make_professionals spreads them in the list's order: the desk's CPTS repeated takes its share.
        extra = max(1, round(DESK_SHARE * len(territories) / (1 - DESK_SHARE)))
        owners = make_professionals(scale["professionals"], territories + [desk] * extra, rng)
    day0 = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with stopwatch(f"{number(scale['slots'])} slots"):
        figures["slots"] = make_slots(scale["slots"], owners, day0, rng)
    with stopwatch(f"{number(scale['waiting'])} médecin traitant requests (COPY)"):
        make_waiting_list(scale["waiting"], territories, rng)
    with stopwatch("accounts and the desk's open care requests"):
        make_accounts(territories, scale["care_requests"], rng)
    with stopwatch("VACUUM ANALYZE"):
        settle()
    return figures


def make_waiting_list(count: int, territories: list[tuple], rng: random.Random) -> None:
    from django.utils import timezone

    from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES
    from maillage.doctor_access.models import DoctorRequest
    from maillage.doctor_access.states import Status

    now = timezone.now()
    statuses = ([Status.RECEIVED, Status.QUALIFIED], [0.6, 0.4])
    columns = ["id", "cpts_id", "channel", "last_name", "first_name", "birth_date", "commune_id",
               "consent_version", "consented_at", "priority", "status", "received_at", "status_changed_at"]  # fmt: skip

    def rows():
        for pk in range(1, count + 1):
            cpts, communes = rng.choice(territories)
            received = now - timedelta(minutes=rng.randrange(730 * 24 * 60))
            born = datetime(1930, 1, 1).date() + timedelta(days=rng.randrange(90 * 365))
            yield (pk, cpts.pk, rng.choice(["public_form", "phone", "referral"]), rng.choice(LAST_NAMES).upper(),
                   rng.choice(FEMALE_NAMES + MALE_NAMES), born, rng.choice(communes)[0], "2026-01", received,
                   rng.choice([0, 0, 0, 1, 2, 3]), rng.choices(*statuses)[0].value, received, received)  # fmt: skip

    insert(DoctorRequest, columns, rows())
    reset_sequences(DoctorRequest)


def make_accounts(territories: list[tuple], care_requests: int, rng: random.Random) -> None:
    """A coordinator for each of the first CPTS, a regulator at the desk, each with a TOTP
    authenticator (their roles need the second factor), and the desk's open care requests."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from maillage.accounts.models import Role, RoleKind, User
    from maillage.unscheduled.models import CareRequest

    for i, (cpts, _communes) in enumerate(territories[:COORDINATORS]):
        user = User.objects.create_user(f"coordination{i}@charge.invalid", first_name="Coordination", last_name=str(i))
        Role.objects.create(user=user, kind=RoleKind.COORDINATOR, cpts=cpts)
        TOTP.activate(user, generate_totp_secret())
    desk, communes = territories[DESK_SLUG_INDEX]
    regulator = User.objects.create_user("regulation@charge.invalid", first_name="Régulation", last_name="Banc")
    Role.objects.create(user=regulator, kind=RoleKind.REGULATOR, cpts=desk)
    TOTP.activate(regulator, generate_totp_secret())
    CareRequest.objects.bulk_create(
        [
            CareRequest(
                cpts=desk,
                last_name="PATIENT",
                first_name=f"Charge {i}",
                commune_id=rng.choice(communes)[0],
                reason="fièvre",
                phone="0600000000",
                taken_by=regulator,
            )
            for i in range(care_requests)
        ],
        batch_size=5000,
    )


# --- The plan (before each measurement) -----------------------------------------------------------


def session_cookie(user) -> str:
    """A logged-in session for `user`, written in the database as a login with its second factor
    would (the app servers share the database sessions and the secret key)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prepare(scale: dict) -> dict:
    from django.utils import timezone
    from slot_search import INCLUDES, SAS_DAYS

    from maillage.accounts.models import Role, RoleKind
    from maillage.directory.models import Professional, Structure
    from maillage.directory.synthetic import LAST_NAMES
    from maillage.fhir import systems
    from maillage.fhir.resources import organization_id
    from maillage.fhir.sas_search import IDENTIFIER_PARAM
    from maillage.territory.models import Cpts
    from maillage.unscheduled.enums import RequestStatus
    from maillage.unscheduled.models import CareRequest, SasConsumer, Slot

    rng = random.Random(SEED + 1)
    slugs = list(Cpts.objects.order_by("pk").values_list("slug", flat=True))
    prefixes = sorted({name[:3].upper() for name in LAST_NAMES})
    step = max(1, Professional.objects.count() // 3000)
    names = [n for n in Professional.objects.active().order_by("pk").values_list("last_name", flat=True)[::step] if n]
    step = max(1, Structure.objects.count() // 2000)
    sites = list(Structure.objects.active().order_by("pk").values_list("finess_et", flat=True)[::step])
    plan: dict = {
        "public": [f"/cpts/{slug}/" for slug in slugs],
        "directory": [f"/cpts/{rng.choice(slugs)}/annuaire/?{urlencode({'name': p})}" for p in prefixes for _ in "ab"],
        "practitioner": [f"/fhir/Practitioner?{urlencode({'name': n[: rng.randint(3, 6)]})}" for n in names[:2000]],
        "role": [f"/fhir/PractitionerRole?organization=Organization/{organization_id(f)}" for f in sites],
    }
    # The SAS: up to 25 practitioners of one CPTS, a window of 3 days within the slots' four weeks.
    by_cpts: dict[int, list[str]] = {}
    for cpts_id, national_id in Slot.objects.order_by().values_list("cpts_id", "professional__national_id").distinct():
        by_cpts.setdefault(cpts_id, []).append(national_id)
    day0 = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    sas = []
    for _ in range(500):
        chosen = sorted(by_cpts[rng.choice(sorted(by_cpts))])[:25]
        start = day0 + timedelta(days=rng.randrange(25), hours=rng.choice([0, 8, 12]))
        end = start + timedelta(days=SAS_DAYS)
        window = [f"ge{start.isoformat(timespec='seconds')}", f"le{end.isoformat(timespec='seconds')}"]
        params = [*(("start", w) for w in window), (IDENTIFIER_PARAM, ",".join(f"{systems.IDNPS}|{n}" for n in chosen)),
                  ("status", "free"), *[(k, v) for k, values in INCLUDES.items() for v in values]]  # fmt: skip
        sas.append(f"/fhir/Slot?{urlencode(params)}")
    plan["sas"] = sas
    _consumer, plan["sas_key"] = SasConsumer.create_with_key("Banc de charge")
    coordinators = Role.objects.filter(kind=RoleKind.COORDINATOR).select_related("user", "cpts").order_by("pk")
    plan["coordinators"] = [
        {
            "session": session_cookie(role.user),
            "paths": [
                f"/c/{role.cpts.slug}/",
                f"/c/{role.cpts.slug}/medecin-traitant/",
                f"/c/{role.cpts.slug}/annuaire/?{urlencode({'name': rng.choice(prefixes)})}",
            ],
        }
        for role in coordinators
    ]
    # The desk: each booking a distinct open request and a distinct free slot, bookable by the desk
    # and an hour away at least (a slot of the past is refused, rightly).
    desk = Role.objects.filter(kind=RoleKind.REGULATOR).select_related("user", "cpts").get()
    open_requests = list(
        CareRequest.objects.filter(cpts=desk.cpts, status=RequestStatus.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    free = list(
        Slot.objects.filter(
            cpts=desk.cpts, status="free", desk_bookable=True, start__gte=timezone.now() + timedelta(hours=1)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng.shuffle(free)
    token_page = open_requests.pop()  # its page gives the CSRF token; never booked
    plan["desk"] = {
        "slug": desk.cpts.slug,
        "sessions": [session_cookie(desk.user) for _ in range(REGULATOR_SESSIONS)],
        "token_page": f"/c/{desk.cpts.slug}/snp/{token_page}/",
        "pairs": list(zip(open_requests, free, strict=False)),
    }
    log(
        f"   plan: {len(slugs)} CPTS, {len(plan['practitioner'])} names, {len(sites)} sites, {len(by_cpts)} CPTS with "
        f"slots, {len(plan['coordinators'])} coordinators, {number(len(plan['desk']['pairs']))} desk bookings possible"
    )
    return plan
