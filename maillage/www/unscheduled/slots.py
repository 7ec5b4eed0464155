"""A professional's slots and bookings in their space, and their private iCal feed."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import audit
from maillage.core.french import plural
from maillage.core.versioning import StaleEdit
from maillage.unscheduled import calendar
from maillage.unscheduled.actions import SlotError, desk
from maillage.unscheduled.actions import slots as slot_actions
from maillage.unscheduled.enums import BookingStatus, SlotStatus
from maillage.unscheduled.models import Booking, CalendarFeed, Slot
from maillage.www.scoping import READ, WRITE, Area, cpts_for, professional_of
from maillage.www.unscheduled.forms import SlotEditForm, SlotForm, TemplateForm


def _mine(request, slug):
    """The CPTS and the professional linked to the account (404 when there is none)."""
    cpts = cpts_for(request, slug, Area.OWN_SLOTS, WRITE if request.method == "POST" else READ)
    professional = professional_of(request.user)
    return cpts, professional


def my_slots(request, slug):
    cpts, professional = _mine(request, slug)
    if professional is None:
        return render(request, "unscheduled/slots.html", {"cpts": cpts, "unlinked": True})
    slot_form = SlotForm(request.POST if request.POST.get("formulaire") == "creneau" else None)
    template_form = TemplateForm(request.POST if request.POST.get("formulaire") == "semaine" else None)
    status = 200
    if request.method == "POST":
        try:
            if slot_form.is_bound and slot_form.is_valid():
                data = slot_form.cleaned_data
                slot_actions.open_slot(
                    cpts,
                    professional,
                    request.user,
                    start=data["start"],
                    end=data["end"],
                    kind=data["kind"],
                    types=data["types"],
                )
                messages.success(request, "Créneau ouvert.")
                return _to_week(cpts, data["start"])
            if template_form.is_bound and template_form.is_valid():
                data = template_form.cleaned_data
                template = slot_actions.save_template(cpts, professional, request.user, data)
                created, skipped = slot_actions.open_from_template(template, request.user, weeks=data["weeks"])
                messages.success(
                    request,
                    f"{plural(created, 'créneau ouvert', 'créneaux ouverts')} ; "
                    f"{plural(skipped, 'ignoré', 'ignorés')} (passés ou déjà occupés).",
                )
                return redirect("www:snp_slots", slug=cpts.slug)
        except SlotError as exc:
            (slot_form if slot_form.is_bound else template_form).add_error(None, str(exc))
        status = 400
    return render(
        request,
        "unscheduled/slots.html",
        _context(request, cpts, professional, slot_form, template_form),
        status=status,
    )


def _week_of_day(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_of(request):
    """The Monday of the week asked (`?semaine=2026-12-07`, any day of it), this week otherwise."""
    today = timezone.localdate()
    try:
        asked = date.fromisoformat(request.GET.get("semaine", ""))
    except ValueError:
        asked = today
    if not date(2000, 1, 1) <= asked <= date(2100, 12, 31):  # nothing to show there; no overflow
        asked = today
    return _week_of_day(asked)


def _to_week(cpts, moment):
    """The slots page at the week of `moment` (where what was just opened or changed shows)."""
    monday = _week_of_day(timezone.localtime(moment).date())
    return redirect(f"{reverse('www:snp_slots', args=[cpts.slug])}?semaine={monday:%Y-%m-%d}")


def _context(request, cpts, professional, slot_form, template_form):
    """The week's slots, day by day, each with its live booking: the professional's own bookings,
    so the patient's name, reason and phone are theirs to read (an audited read)."""
    monday = _week_of(request)
    start = timezone.make_aware(datetime.combine(monday, time.min))
    end = timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min))
    slots = (
        Slot.objects.filter(cpts=cpts, professional=professional, start__gte=start, start__lt=end)
        .prefetch_related("bookings__request")
        .order_by("start")
    )
    now = timezone.now()
    days = [{"day": monday + timedelta(days=n), "rows": []} for n in range(7)]
    rows = []
    for slot in slots:
        booking = next((b for b in slot.bookings.all() if b.status != BookingStatus.CANCELLED), None)
        row = {"slot": slot, "booking": booking, "past": slot.start <= now}
        rows.append(row)
        days[timezone.localtime(slot.start).weekday()]["rows"].append(row)
    if any(row["booking"] for row in rows):
        audit.record_health_read(
            "unscheduled.bookings.viewed",
            actor=request.user,
            cpts=cpts,
            obj=None,
            details={"réservations": [row["booking"].pk for row in rows if row["booking"]][:200]},
        )
    week = {
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "current": monday == _week_of_day(timezone.localdate()),
        "days": days,
        "today": timezone.localdate(),
    }
    free = sum(1 for row in rows if row["slot"].status == SlotStatus.FREE)
    booked = sum(1 for row in rows if row["booking"])
    week["summary"] = (
        f"{plural(free, 'créneau libre', 'créneaux libres')}, "
        f"{plural(booked, 'rendez-vous réservé', 'rendez-vous réservés')} cette semaine."
    )
    feed = CalendarFeed.objects.filter(user=request.user, cpts=cpts).first()
    return {
        "cpts": cpts,
        "professional": professional,
        "rows": rows,
        "week": week,
        "any_slot": bool(rows) or Slot.objects.filter(cpts=cpts, professional=professional).exists(),
        "slot_form": slot_form,
        "template_form": template_form,
        "feed_url": request.build_absolute_uri(reverse("www:snp_ical", args=[feed.token])) if feed else "",
    }


def _own_slot(request, slug, pk):
    cpts, professional = _mine(request, slug)
    return cpts, get_object_or_404(Slot, pk=pk, cpts=cpts, professional=professional)


def slot_edit(request, slug, pk):
    cpts, slot = _own_slot(request, slug, pk)
    form = SlotEditForm(request.POST or None, initial=SlotForm.initial_for(slot), version=slot.version)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slot_actions.update_slot(
                slot, request.user, start=data["start"], end=data["end"], kind=data["kind"], types=data["types"],
                expected_version=form.expected_version,
            )  # fmt: skip
        except StaleEdit as exc:
            form.refuse(exc, SlotForm.initial_for(exc.current) if exc.current else None)
            status = 409
        except SlotError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Créneau modifié.")
            return _to_week(cpts, data["start"])
    return render(request, "unscheduled/slot_edit.html", {"cpts": cpts, "slot": slot, "form": form}, status=status)


@require_POST
def slot_withdraw(request, slug, pk):
    cpts, slot = _own_slot(request, slug, pk)
    try:
        slot_actions.withdraw_slot(slot, request.user)
    except SlotError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Créneau retiré.")
    return _to_week(cpts, slot.start)


@require_POST
def booking_outcome(request, slug, pk):
    cpts, professional = _mine(request, slug)
    booking = get_object_or_404(
        Booking.objects.select_related("slot", "request"), pk=pk, slot__cpts=cpts, slot__professional=professional
    )
    try:
        desk.mark_outcome(booking, honoured=request.POST.get("issue") == "honore", actor=request.user)
    except SlotError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Rendez-vous marqué « {booking.get_status_display()} ».")
    return _to_week(cpts, booking.slot.start)


@require_POST
def feed_renew(request, slug):
    cpts, professional = _mine(request, slug)
    if professional is None:
        raise Http404
    slot_actions.renew_calendar_feed(cpts, professional, request.user)
    messages.success(request, "Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus.")
    return redirect("www:snp_slots", slug=cpts.slug)


@login_not_required
def ical(request, token):
    """The bookings of the feed's professional, for their calendar app: the token is the secret."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("cpts", "professional"), token=token)
    since = timezone.now() - timedelta(days=30)
    bookings = (
        Booking.objects.filter(slot__cpts=feed.cpts, slot__professional=feed.professional, slot__start__gte=since)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("slot__commune")
    )
    body = calendar.feed(feed, bookings)
    # The feed says when patients are seen, never who (unscheduled/calendar.py); its reads are still
    # audited as the owner's, as a read of their bookings.
    audit.record_health_read(
        "unscheduled.calendar.read", actor=feed.user, cpts=feed.cpts, obj=feed, details={"réservations": len(bookings)}
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
