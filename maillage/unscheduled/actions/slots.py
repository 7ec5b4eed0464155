"""A professional's slots: opened one by one or from a weekly template, edited, withdrawn."""

from datetime import datetime, timedelta

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.directory import answers as directory_answers
from maillage.directory.models import Activity, DirectoryEntry
from maillage.unscheduled.actions import SlotError
from maillage.unscheduled.enums import SlotStatus, SlotType, desk_bookable
from maillage.unscheduled.models import CalendarFeed, Slot, SlotTemplate

MAX_TEMPLATE_WEEKS = 12
# The first key of the transaction locks taken by `_lock` (the second is the professional's pk):
# any constant no other code uses.
SLOT_WRITES_LOCK = 0x534C4F54  # "SLOT"


def site_of(cpts, professional) -> Activity | None:
    """The professional's active site in the CPTS's territory (its commune places the slot)."""
    return (
        professional.activities.filter(active=True, commune__cpts_links__cpts=cpts)
        .select_related("commune")
        .order_by("id")
        .first()
    )


def check_member(cpts, professional) -> Activity:
    """Slots are opened by professionals of the territory: an active site in it (a member's entry
    alone is not enough, the slot needs a place)."""
    site = site_of(cpts, professional)
    if site is None:
        member = DirectoryEntry.objects.filter(cpts=cpts, professional=professional, is_member=True).exists()
        raise SlotError(
            f"{professional.full_name} n'exerce pas sur le territoire de la {cpts.name}"
            + (" (adhérent, mais sans lieu d'exercice sur le territoire)." if member else ".")
        )
    return site


def _check_types(types) -> list[str]:
    chosen = [t for t in SlotType.values if t in set(types or ())]
    if not chosen:
        raise SlotError("Indiquez qui peut réserver ce créneau (au moins un type).")
    return chosen


def _overlapping(professional, start, end, *, exclude=None):
    found = Slot.objects.filter(professional=professional, start__lt=end, end__gt=start).exclude(
        status=SlotStatus.CANCELLED
    )
    return found.exclude(pk=exclude.pk) if exclude is not None else found


def _check_times(professional, start: datetime, end: datetime, *, exclude=None) -> None:
    if end <= start:
        raise SlotError("La fin du créneau doit être après son début.")
    if start < timezone.now():
        raise SlotError("Ce créneau est dans le passé : choisissez une date à venir.")
    if end - start > timedelta(hours=12):
        raise SlotError("Un créneau dure au plus 12 heures.")
    clash = _overlapping(professional, start, end, exclude=exclude).first()
    if clash is not None:
        local = timezone.localtime(clash.start)
        raise SlotError(f"Ce créneau chevauche celui du {local:%d/%m/%Y à %H:%M}.")


def _lock(professional) -> None:
    """Serialises the slot writes of one professional, so two overlapping slots cannot be created
    at once. PostgreSQL: a lock of the transaction keyed on the professional — not their row, which
    an RPPS re-import that changes them keeps locked until it commits (a minute at national size).
    Released at the end of the transaction, so it works behind PgBouncer in transaction mode.
    SQLite: writers are serialised anyway."""
    connection = connections[router.db_for_write(Slot)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SLOT_WRITES_LOCK, professional.pk % 2**31])


def open_slot(cpts, professional, actor, *, start, end, kind, types) -> Slot:
    site = check_member(cpts, professional)
    types = _check_types(types)
    with transaction.atomic():
        _lock(professional)
        _check_times(professional, start, end)
        slot = _new(cpts, professional, site, actor, start=start, end=end, kind=kind, types=types)
        slot.save()
        audit.record(
            "unscheduled.slot.opened",
            actor=actor,
            cpts=cpts,
            obj=slot,
            details={"début": timezone.localtime(start).isoformat()},
        )
        directory_answers.sync(cpts, professional, actor)  # the directory says what the slots say
    return slot


def update_slot(slot: Slot, actor, *, start, end, kind, types, expected_version: int | None = None) -> Slot:
    """Refused (`versioning.StaleEdit`) if the slot changed since its form was read at `expected_version`."""
    types = _check_types(types)
    with transaction.atomic():
        _lock(slot.professional)
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        versioning.check_and_bump(slot, expected_version)
        if slot.status != SlotStatus.FREE:
            raise SlotError("Ce créneau est réservé ou retiré : il ne peut plus être modifié.")
        _check_times(slot.professional, start, end, exclude=slot)
        slot.start, slot.end, slot.kind, slot.types = start, end, kind, types
        slot.save()
        audit.record("unscheduled.slot.updated", actor=actor, cpts=slot.cpts, obj=slot)
    return slot


def withdraw_slot(slot: Slot, actor) -> Slot:
    """A free slot is withdrawn; a booked one must have its booking cancelled first, so that no
    patient is left with an appointment nobody knows about."""
    with transaction.atomic():
        done = Slot.objects.filter(pk=slot.pk, status=SlotStatus.FREE).update(
            status=SlotStatus.CANCELLED, updated_at=timezone.now()
        )
        if not done:
            raise SlotError("Ce créneau est réservé : annulez d'abord le rendez-vous (avec la régulation).")
        slot.status = SlotStatus.CANCELLED
        audit.record("unscheduled.slot.withdrawn", actor=actor, cpts=slot.cpts, obj=slot)
        directory_answers.sync(slot.cpts, slot.professional, actor)
    return slot


def save_template(cpts, professional, actor, data: dict) -> SlotTemplate:
    check_member(cpts, professional)
    types = _check_types(data.get("types"))
    if data["end_time"] <= data["start_time"]:
        raise SlotError("L'heure de fin doit être après l'heure de début.")
    with transaction.atomic():
        template = SlotTemplate.objects.create(
            cpts=cpts,
            professional=professional,
            weekday=data["weekday"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            length=data["length"],
            kind=data["kind"],
            types=types,
        )
        audit.record("unscheduled.template.saved", actor=actor, cpts=cpts, obj=template)
    return template


def open_from_template(template: SlotTemplate, actor, *, weeks: int, today=None) -> tuple[int, int]:
    """Opens the template's slots for the next `weeks` weeks; slots already past or overlapping an
    existing one are skipped (and counted), not refused: a template is applied week after week."""
    if not 1 <= weeks <= MAX_TEMPLATE_WEEKS:
        raise SlotError(f"Choisissez entre 1 et {MAX_TEMPLATE_WEEKS} semaines.")
    site = check_member(template.cpts, template.professional)
    today = today or timezone.localdate()
    now = timezone.now()
    created, skipped = [], 0
    with transaction.atomic():
        _lock(template.professional)
        first = today + timedelta(days=(template.weekday - today.weekday()) % 7)
        for week in range(weeks):
            day = first + timedelta(weeks=week)
            start = timezone.make_aware(datetime.combine(day, template.start_time))
            stop = timezone.make_aware(datetime.combine(day, template.end_time))
            while start + timedelta(minutes=template.length) <= stop:
                end = start + timedelta(minutes=template.length)
                if start < now or _overlapping(template.professional, start, end).exists():
                    skipped += 1
                else:
                    created.append(
                        _new(template.cpts, template.professional, site, actor, start=start, end=end,
                             kind=template.kind, types=template.types)
                    )  # fmt: skip
                start = end
        Slot.objects.bulk_create(created)
        audit.record(
            "unscheduled.template.applied",
            actor=actor,
            cpts=template.cpts,
            obj=template,
            details={"semaines": weeks, "créés": len(created), "ignorés": skipped},
        )
        directory_answers.sync(template.cpts, template.professional, actor)
    return len(created), skipped


def _new(cpts, professional, site, actor, *, start, end, kind, types) -> Slot:
    """A slot of `professional` at `site` (not saved: templates write theirs in bulk)."""
    return Slot(
        cpts=cpts,
        professional=professional,
        opened_by=audit.user_or_none(actor),
        activity=site,
        commune=site.commune,
        start=start,
        end=end,
        kind=kind,
        types=list(types),
        desk_bookable=desk_bookable(types),
        profession_code=professional.profession_code,
        profession_label=professional.profession_label,
        specialty_code=professional.savoir_faire_code,
        specialty_label=professional.savoir_faire_label,
    )


def renew_calendar_feed(cpts, professional, actor) -> CalendarFeed:
    """A new private address for the professional's bookings; the old one stops working."""
    with transaction.atomic():
        feed = CalendarFeed.renew(actor, cpts, professional)
        audit.record("unscheduled.calendar.renewed", actor=actor, cpts=cpts, obj=feed)
    return feed


def professional_slots(cpts, professional):
    return Slot.objects.filter(cpts=cpts, professional=professional).filter(
        Q(end__gte=timezone.now() - timedelta(days=7))
    )
