"""Issue 17 — the crisis response's pages: a crisis's centres, a centre's shifts (the coordinator
adds them and signs people up; a member signs up themselves), the volunteers' space, the hours per
volunteer for payment. Writes are maillage/crisis/response_centres.py's; their French refusals are
shown as they are."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.crisis import response_centres as centres
from maillage.crisis.models import Centre, Crisis, Shift, ShiftSignup
from maillage.crisis.response_centres import ResponseError
from maillage.crisis.response_supplies import low_items
from maillage.www.crisis.forms_response import CentreForm, EnrolForm, ShiftForm
from maillage.www.directory.exports import XLSX
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def crisis_of(cpts, pk) -> Crisis:
    return get_object_or_404(Crisis, cpts=cpts, pk=pk)


def centre_of(cpts, pk) -> Centre:
    return get_object_or_404(Centre.objects.select_related("crisis", "commune"), crisis__cpts=cpts, pk=pk)


def shift_of(cpts, pk) -> Shift:
    return get_object_or_404(Shift.objects.select_related("centre__crisis"), centre__crisis__cpts=cpts, pk=pk)


def _hub(request, cpts, crisis, *, form=None, error=None, status=200):
    context = {
        "cpts": cpts, "crisis": crisis, "error": error,
        "centres": crisis.centres.select_related("commune").order_by("opened_on", "name"),
        "manage": may(request, Area.CRISIS_RESPONSE, WRITE, cpts),
        "cases": may(request, Area.CRISIS_CASES, READ, cpts),
        "form": form or CentreForm(cpts=cpts, initial={"opened_on": max(crisis.starts_on, timezone.localdate())}),
    }  # fmt: skip
    return render(request, "crisis/centre_list.html", context, status=status)


def response_hub(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, READ)
    return _hub(request, cpts, crisis_of(cpts, crisis))


def centre_new(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    crisis = crisis_of(cpts, crisis)
    if request.method != "POST":
        return _hub(request, cpts, crisis)
    form, error = CentreForm(request.POST, cpts=cpts), None
    if form.is_valid():
        try:
            centre = centres.open_centre(crisis, form.draft(), request.user)
        except ResponseError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Centre « {centre.name} » ouvert : ajoutez ses créneaux.")
            return redirect("www:crisis_centre", slug=cpts.slug, centre=centre.pk)
    return _hub(request, cpts, crisis, form=form, error=error, status=400)


def _centre_page(request, cpts, centre, *, shift_form=None, error=None, status=200):
    manage = may(request, Area.CRISIS_RESPONSE, WRITE, cpts)
    shifts = list(centres.shifts_of(centre))
    mine = set(
        ShiftSignup.objects.filter(shift__centre=centre, volunteer=request.user).values_list("shift_id", flat=True)
    )
    people = {}
    if manage:
        for signup in ShiftSignup.objects.filter(shift__centre=centre).select_related("volunteer"):
            people.setdefault(signup.shift_id, []).append(signup)
    now = timezone.now()
    rows = [
        {"shift": s, "left": s.capacity - s.taken, "mine": s.pk in mine, "past": s.starts_at <= now,
         "signups": people.get(s.pk, [])}
        for s in shifts
    ]  # fmt: skip
    context = {
        "cpts": cpts, "centre": centre, "crisis": centre.crisis, "rows": rows, "manage": manage, "error": error,
        "volunteer": may(request, Area.CRISIS_VOLUNTEER, WRITE, cpts),
        "shift_form": shift_form or ShiftForm(initial={"day": max(centre.opened_on, timezone.localdate()),
                                                       "capacity": 2}),
        "enrol_form": EnrolForm(cpts=cpts) if manage else None,
    }  # fmt: skip
    return render(request, "crisis/centre_detail.html", context, status=status)


def centre_detail(request, slug, centre):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, READ)
    return _centre_page(request, cpts, centre_of(cpts, centre))


@require_POST
def shift_new(request, slug, centre):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    centre = centre_of(cpts, centre)
    form, error = ShiftForm(request.POST), None
    if form.is_valid():
        start, end = form.times()
        data = form.cleaned_data
        try:
            centres.add_shift(centre, request.user, starts_at=start, ends_at=end, capacity=data["capacity"],
                              role=data["role"])  # fmt: skip
        except ResponseError as exc:
            error = str(exc)
        else:
            messages.success(request, "Créneau ajouté.")
            return redirect("www:crisis_centre", slug=cpts.slug, centre=centre.pk)
    return _centre_page(request, cpts, centre, shift_form=form, error=error, status=400)


def _back(request, cpts, shift):
    """Back where the sign-up was made: the volunteers' space or the centre's page."""
    if request.POST.get("retour") == "benevolat":
        return redirect("www:crisis_volunteer", slug=cpts.slug)
    return redirect("www:crisis_centre", slug=cpts.slug, centre=shift.centre_id)


@require_POST
def shift_signup(request, slug, shift):
    """A member (or a coordinator) signs up themselves."""
    cpts = cpts_for(request, slug, Area.CRISIS_VOLUNTEER, WRITE)
    shift = shift_of(cpts, shift)
    try:
        centres.sign_up(shift, request.user, request.user)
    except ResponseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Vous êtes inscrit : {shift.centre.name}, {centres.when(shift)}.")
    return _back(request, cpts, shift)


@require_POST
def shift_enrol(request, slug, shift):
    """The coordinator signs a member up."""
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    shift = shift_of(cpts, shift)
    form = EnrolForm(request.POST, cpts=cpts)
    if not form.is_valid():
        messages.error(request, "Choisissez un membre de la CPTS.")
        return _back(request, cpts, shift)
    try:
        signup = centres.sign_up(shift, form.person(), request.user)
    except ResponseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{centres.display_name(signup.volunteer)} est inscrit sur le créneau.")
    return _back(request, cpts, shift)


@require_POST
def signup_cancel(request, slug, signup):
    """The volunteer withdraws; the coordinator withdraws anyone. Someone else's: 404."""
    cpts = cpts_for(request, slug, Area.CRISIS_VOLUNTEER, WRITE)
    found = ShiftSignup.objects.select_related("shift__centre__crisis", "volunteer").filter(
        shift__centre__crisis__cpts=cpts, pk=signup
    )
    if not may(request, Area.CRISIS_RESPONSE, WRITE, cpts):
        found = found.filter(volunteer=request.user)
    signup = get_object_or_404(found)
    try:
        centres.cancel_signup(signup, request.user)
    except ResponseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Inscription retirée.")
    return _back(request, cpts, signup.shift)


def volunteer_space(request, slug):
    """The shifts to come of the crises in progress, and the person's own sign-ups."""
    cpts = cpts_for(request, slug, Area.CRISIS_VOLUNTEER, READ)
    now = timezone.now()
    mine = list(
        ShiftSignup.objects.filter(volunteer=request.user, shift__centre__crisis__cpts=cpts, shift__ends_at__gt=now)
        .select_related("shift__centre")
        .order_by("shift__starts_at")
    )
    taken = {s.shift_id for s in mine}
    crises = Crisis.objects.filter(cpts=cpts, status=Crisis.Status.ACTIVE).order_by("-starts_on")
    shifts = (
        Shift.objects.filter(centre__crisis__in=crises, starts_at__gt=now)
        .select_related("centre__crisis", "centre__commune")
        .order_by("starts_at")
    )
    open_shifts = [(s, s.capacity - s.taken) for s in centres.shifts_of_queryset(shifts)[:100] if s.pk not in taken]
    context = {
        "cpts": cpts, "mine": mine, "open_shifts": open_shifts, "crises": crises,
        "all_crises": Crisis.objects.filter(cpts=cpts).order_by("-starts_on")[:20],
        "manage": may(request, Area.CRISIS_RESPONSE, WRITE, cpts),
        "low": low_items(cpts) if may(request, Area.CRISIS_RESPONSE, WRITE, cpts) else [],
    }  # fmt: skip
    return render(request, "crisis/centre_volunteer.html", context)


def hours_page(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    crisis = crisis_of(cpts, crisis)
    rows = centres.hours(crisis)
    context = {"cpts": cpts, "crisis": crisis, "rows": rows, "total": sum(r.minutes for r in rows)}
    return render(request, "crisis/centre_hours.html", context)


def hours_xlsx(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    crisis = crisis_of(cpts, crisis)
    response = HttpResponse(centres.hours_xlsx(crisis, request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="heures-benevoles-crise-{crisis.pk}.xlsx"'
    return response
