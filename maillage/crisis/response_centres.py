"""Issue 17 — centres of a crisis, their shifts, and the volunteers who staff them.

A member of the CPTS signs up for a shift from their space; the coordinator signs someone up.
Refused, in French, nothing written: the same person twice on a shift, on two shifts that overlap
(any centre, any crisis), a shift that is full, someone who is not a member of the CPTS.

Race-safety: a sign-up locks the volunteer's account row, then the shift's row (always in this
order, so two sign-ups never wait on each other crosswise), and checks the shift's places and the
person's other shifts under those locks, in one transaction. The unique constraint per shift and
person is the last word. Hours for payment are each shift's duration, counted per volunteer."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from openpyxl import Workbook

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit
from maillage.core.exports import xlsx_row
from maillage.crisis.models import Centre, Crisis, Shift, ShiftSignup
from maillage.crisis.models.response import MAX_CAPACITY, CentreKind, ShiftRole
from maillage.directory.models import ProfessionalAccount

VOLUNTEER_ROLES = (RoleKind.MEMBER, RoleKind.COORDINATOR)
MAX_SHIFT_HOURS = 24


class ResponseError(Exception):
    """A write refused for a reason the user can act on; the message is French, shown as is."""


def require(condition, message: str) -> None:
    if not condition:
        raise ResponseError(message)


def display_name(user) -> str:
    return user.get_full_name().strip() or user.email


def volunteers(cpts):
    """The people who may staff the CPTS's centres: its members and coordinators."""
    User = get_user_model()
    return (
        User.objects.filter(roles__cpts=cpts, roles__kind__in=VOLUNTEER_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def _open(crisis: Crisis) -> None:
    require(crisis.status != Crisis.Status.CANCELLED, "Cette crise a été annulée : on n'y ouvre plus de centre.")


@dataclass
class CentreDraft:
    kind: str
    name: str
    address: str
    opened_on: date | None
    commune: object = None
    opening_hours: str = ""


def open_centre(crisis: Crisis, draft: CentreDraft, actor) -> Centre:
    _open(crisis)
    name, address = (draft.name or "").strip(), (draft.address or "").strip()
    require(draft.kind in CentreKind.values, "Choisissez la nature du centre.")
    require(name and len(name) <= 150, "Indiquez le nom du centre (150 caractères au plus).")
    require(address and len(address) <= 250, "Indiquez l'adresse du centre (250 caractères au plus).")
    require(len(draft.opening_hours or "") <= 250, "Les horaires sont trop longs (250 caractères au plus).")
    require(isinstance(draft.opened_on, date), "Indiquez la date d'ouverture.")
    require(
        draft.opened_on >= crisis.starts_on,
        f"Le centre ne peut pas ouvrir avant le début de la crise ({crisis.starts_on:%d/%m/%Y}).",
    )
    if draft.commune is not None:
        require(
            crisis.cpts.communes().filter(pk=draft.commune.pk).exists(),
            f"{draft.commune.name} n'est pas une commune du territoire de la CPTS.",
        )
    with transaction.atomic():
        centre = Centre.objects.create(
            crisis=crisis, kind=draft.kind, name=name, address=address, commune=draft.commune,
            opening_hours=(draft.opening_hours or "").strip(), opened_on=draft.opened_on,
        )  # fmt: skip
        audit.record(
            "crisis.centre.opened", actor=actor, cpts=crisis.cpts, obj=centre,
            details={"crise": crisis.title, "nature": centre.get_kind_display(), "adresse": address},
        )  # fmt: skip
    return centre


def add_shift(centre: Centre, actor, *, starts_at: datetime | None, ends_at: datetime | None, capacity, role) -> Shift:
    _open(centre.crisis)
    require(role in ShiftRole.values, "Choisissez le rôle attendu sur le créneau.")
    require(isinstance(starts_at, datetime) and isinstance(ends_at, datetime), "Indiquez le début et la fin.")
    require(ends_at > starts_at, "La fin du créneau doit être après son début.")
    require((ends_at - starts_at).total_seconds() <= MAX_SHIFT_HOURS * 3600, "Un créneau dure 24 heures au plus.")
    require(
        isinstance(capacity, int) and 1 <= capacity <= MAX_CAPACITY,
        f"Le nombre de places doit être entre 1 et {MAX_CAPACITY}.",
    )
    require(
        timezone.localdate(starts_at) >= centre.opened_on,
        f"Le centre ouvre le {centre.opened_on:%d/%m/%Y} : le créneau ne peut pas commencer avant.",
    )
    with transaction.atomic():
        shift = Shift.objects.create(centre=centre, starts_at=starts_at, ends_at=ends_at, capacity=capacity, role=role)
        audit.record(
            "crisis.shift.added", actor=actor, cpts=centre.crisis.cpts, obj=shift,
            details={"centre": centre.name, "début": starts_at.isoformat(), "fin": ends_at.isoformat(),
                     "places": capacity, "rôle": shift.get_role_display()},
        )  # fmt: skip
    return shift


def when(shift: Shift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"


def sign_up(shift: Shift, volunteer, actor, *, now: datetime | None = None) -> ShiftSignup:
    """`volunteer` on `shift`. A member signing up themselves only for a shift to come of a crisis in
    progress; the coordinator (or the demo, as the system) may record one after the fact."""
    now = now or timezone.now()
    crisis = shift.centre.crisis
    cpts = crisis.cpts
    themselves = (
        getattr(actor, "pk", None) == volunteer.pk
        and not Role.objects.filter(user=volunteer, cpts=cpts, kind=RoleKind.COORDINATOR).exists()
    )
    require(
        Role.objects.filter(user=volunteer, cpts=cpts, kind__in=VOLUNTEER_ROLES).exists(),
        f"{display_name(volunteer)} n'est pas membre de la CPTS : seuls ses membres s'inscrivent aux créneaux.",
    )
    if themselves:
        require(
            crisis.status == Crisis.Status.ACTIVE, "Cette crise n'est plus en cours : les inscriptions sont closes."
        )
        require(shift.starts_at > now, "Ce créneau a déjà commencé : il n'est plus possible de s'y inscrire.")
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=volunteer.pk).first()
            locked = Shift.objects.select_for_update().get(pk=shift.pk)
            who = "Vous êtes" if themselves else f"{display_name(volunteer)} est"
            require(
                not ShiftSignup.objects.filter(shift=locked, volunteer=volunteer).exists(),
                f"{who} déjà inscrit sur ce créneau.",
            )
            other = (
                ShiftSignup.objects.filter(
                    volunteer=volunteer, shift__starts_at__lt=locked.ends_at, shift__ends_at__gt=locked.starts_at
                )
                .select_related("shift__centre")
                .first()
            )
            require(
                other is None,
                f"{who} déjà inscrit {when(other.shift)} au centre « {other.shift.centre.name} » : "
                "les deux créneaux se chevauchent."
                if other
                else "",
            )
            taken = ShiftSignup.objects.filter(shift=locked).count()
            require(taken < locked.capacity, "Ce créneau est complet : choisissez-en un autre.")
            signup = ShiftSignup.objects.create(
                shift=locked, volunteer=volunteer, signed_up_by=audit.user_or_none(actor)
            )
            audit.record(
                "crisis.shift.signed_up", actor=actor, cpts=cpts, obj=signup,
                details={"centre": shift.centre.name, "créneau": when(locked), "bénévole": display_name(volunteer)},
            )  # fmt: skip
    except IntegrityError as exc:  # the unique constraint: a second request of the same person won
        raise ResponseError("Vous êtes déjà inscrit sur ce créneau.") from exc
    return signup


def cancel_signup(signup: ShiftSignup, actor, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    require(signup.shift.starts_at > now, "Ce créneau a déjà commencé : l'inscription ne peut plus être retirée.")
    with transaction.atomic():
        audit.record(
            "crisis.shift.signup_cancelled", actor=actor, cpts=signup.shift.centre.crisis.cpts, obj=signup,
            details={"centre": signup.shift.centre.name, "créneau": when(signup.shift),
                     "bénévole": display_name(signup.volunteer)},
        )  # fmt: skip
        signup.delete()


def shifts_of(centre: Centre):
    """The centre's shifts with their number of volunteers (one query)."""
    return shifts_of_queryset(centre.shifts.order_by("starts_at", "id"))


def shifts_of_queryset(shifts):
    return shifts.annotate(taken=Count("signups"))


@dataclass(frozen=True)
class Hours:
    name: str
    email: str
    rpps: str
    shifts: int
    minutes: int

    @property
    def hours(self) -> str:
        return f"{self.minutes // 60} h {self.minutes % 60:02d}"


def hours(crisis: Crisis) -> list[Hours]:
    """Per volunteer: the shifts done (ended) of the crisis and their minutes, for payment. Two queries."""
    rows = (
        ShiftSignup.objects.filter(shift__centre__crisis=crisis, shift__ends_at__lte=timezone.now())
        .select_related("volunteer", "shift")
        .order_by("volunteer__last_name", "volunteer__first_name", "volunteer_id")
    )
    totals: dict[int, list] = {}
    for signup in rows:
        entry = totals.setdefault(signup.volunteer_id, [signup.volunteer, 0, 0])
        entry[1] += 1
        entry[2] += signup.shift.minutes
    rpps = dict(
        ProfessionalAccount.objects.filter(user_id__in=totals).values_list("user_id", "professional__identifier")
    )
    return [
        Hours(display_name(user), user.email, rpps.get(pk, ""), count, minutes)
        for pk, (user, count, minutes) in totals.items()
    ]


def hours_xlsx(crisis: Crisis, actor) -> bytes:
    """The hours table as a spreadsheet: data only (maillage/core/exports.py), one audited download."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Heures")
    sheet.append(["Bénévole", "Adresse électronique", "RPPS", "Créneaux", "Minutes", "Heures"])
    rows = hours(crisis)
    for row in rows:
        sheet.append(
            xlsx_row(sheet, [row.name, row.email, row.rpps, row.shifts, row.minutes, round(row.minutes / 60, 2)])
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record("crisis.hours.exported", actor=actor, cpts=crisis.cpts, obj=crisis, details={"bénévoles": len(rows)})
    return buffer.getvalue()
