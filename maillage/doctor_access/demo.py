"""Demo of the waiting list: fictional patients waiting in each demo CPTS and volunteer GPs, so
that the matching can be tried at once. Written through the actions (audit, transitions), from a
fixed seed; a CPTS that already has requests is left alone, so a second `make run` adds nothing."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind, User
from maillage.core.french import plural
from maillage.directory.demo import DEMO_DOCTOR
from maillage.directory.models import Activity, Professional, ProfessionalAccount
from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES
from maillage.doctor_access.actions.doctors import save_offer
from maillage.doctor_access.actions.intake import submit_request
from maillage.doctor_access.actions.lifecycle import qualify
from maillage.doctor_access.models import DoctorRequest
from maillage.doctor_access.models.requests import Channel

PATIENTS = 36
VOLUNTEERS = 6
SITUATIONS = {"ald": 0.35, "c2s_ame": 0.12, "precarity": 0.1, "isolation": 0.1, "chronic_disease": 0.25,
              "disability": 0.05, "hospital_discharge": 0.06, "pregnancy": 0.03}  # fmt: skip


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if DoctorRequest.objects.filter(cpts=cpts).exists():
            continue
        rng = random.Random(f"doctor_access:{cpts.slug}")
        # Fictional patients get no confirmation email, not even on the console.
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            doctors = _volunteers(cpts, rng)
            patients = _patients(cpts, rng)
        log(
            f"  médecin traitant ({cpts.name}) : {plural(patients, 'patient')} en attente, "
            f"{plural(doctors, 'médecin volontaire', 'médecins volontaires')}"
        )


def _patients(cpts, rng: random.Random) -> int:
    communes = list(cpts.communes().order_by("code"))
    if not communes:
        return 0
    today = timezone.localdate()
    for n in range(PATIENTS):
        female = rng.random() < 0.55
        age = rng.choice([rng.randint(18, 45), rng.randint(45, 69), rng.randint(70, 92)])
        data = {
            "last_name": rng.choice(LAST_NAMES),
            "first_name": rng.choice(FEMALE_NAMES if female else MALE_NAMES),
            "birth_date": date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
            "phone": f"06{rng.randint(0, 99_999_999):08d}",
            "email": f"patient{n}.{cpts.slug}@demo.maillage.fr" if rng.random() < 0.6 else "",
            "commune": rng.choice(communes),
            **{flag: rng.random() < share for flag, share in SITUATIONS.items()},
        }
        channel = rng.choice([Channel.PUBLIC_FORM, Channel.PHONE, Channel.PHONE, Channel.REFERRAL])
        referrer = "Pharmacie de la mairie" if channel == Channel.REFERRAL else ""
        request = submit_request(cpts, data, channel=channel, referrer_label=referrer)
        # Spread arrivals over the last four months, so the waiting times look like a real list.
        received = timezone.now() - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
        DoctorRequest.objects.filter(pk=request.pk).update(received_at=received, consented_at=received)
        request.transitions.update(at=received)
        if rng.random() < 0.75:
            qualify(request, {}, None)
    return PATIENTS


def _volunteers(cpts, rng: random.Random) -> int:
    # A semi-join on the activities rather than a join and DISTINCT (see unscheduled/demo.py).
    sites = Activity.objects.filter(active=True, commune__cpts_links__cpts=cpts).values("professional_id")
    gps = list(
        Professional.objects.filter(active=True, profession_code="10", savoir_faire_code="SM54", pk__in=sites).order_by(
            "national_id"
        )[: VOLUNTEERS * 3]
    )
    rng.shuffle(gps)
    demo_doctor = ProfessionalAccount.objects.filter(user__email=DEMO_DOCTOR).select_related("professional").first()
    chosen = gps[:VOLUNTEERS]
    if demo_doctor is not None and demo_doctor.professional in gps:
        chosen = [demo_doctor.professional, *[gp for gp in chosen if gp != demo_doctor.professional]][:VOLUNTEERS]
    for gp in chosen:
        user = _account(cpts, gp)
        commune = gp.activities.filter(active=True, commune__cpts_links__cpts=cpts).first().commune
        save_offer(
            cpts,
            user,
            gp,
            {
                "capacity": rng.choice([2, 3, 4, 5]),
                "mode": "monthly",
                "commune": commune,
                "priority_only": rng.random() < 0.2,
                "paused": False,
            },
            None,
        )
    return len(chosen)


def _account(cpts, gp: Professional) -> User:
    """The GP's demo account (the demo doctor's own for them), a member of the CPTS."""
    link = ProfessionalAccount.objects.filter(professional=gp).select_related("user").first()
    if link is not None:
        user = link.user
    else:
        email = f"mt.{gp.national_id}@demo.maillage.fr"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, first_name=gp.first_name.title(), last_name=gp.last_name.title()
        )
        ProfessionalAccount.objects.create(user=user, professional=gp)
    Role.objects.get_or_create(user=user, kind=RoleKind.MEMBER, cpts=cpts)
    return user
