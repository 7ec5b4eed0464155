"""Réunions de concertation pluriprofessionnelle (RCP) of a CPTS: the list, a meeting's page, its
form, declaring it held with each participant's time, a patient's questions, decisions and next
steps, the minutes as DOCX, and the participation export for the coordination.

Who sees a meeting and which of its patients is maillage/pathways/access.py's decision (a meeting
the user does not see answers 404, as another CPTS's); every write goes through an action of
maillage/pathways/actions/meetings.py, whose French refusal is shown as is, with nothing saved."""

from datetime import date, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts.models import Role, RoleKind
from maillage.core import bounds
from maillage.core.french import agree, plural
from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.directory.models import Partner, Professional
from maillage.pathways import access, minutes
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.meetings import (
    MAX_NEXT_STEPS,
    PARTICIPATION_HEADER,
    TEXT_MAX,
    MeetingDraft,
    NextStep,
    cancel,
    edit_meeting,
    list_meetings,
    mark_held,
    participation_rows,
    read_meeting,
    record_minutes,
    record_outcome,
    reschedule,
    schedule,
)
from maillage.pathways.models import CareTeamMember, Meeting, MeetingPatient, MeetingStatus, Pathway
from maillage.pathways.models.meetings import MAX_MINUTES
from maillage.pathways.states import PathwayStatus
from maillage.www.directory.exports import csv_response, xlsx_response
from maillage.www.scoping import READ, WRITE, Area, cpts_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
NEXT_STEP_ROWS = 3


# Forms


def _coordinators(cpts):
    users = Role.objects.filter(cpts=cpts, kind=RoleKind.COORDINATOR).select_related("user")
    return sorted({role.user for role in users}, key=lambda user: (user.get_full_name() or user.email).lower())


def _participant_choices(cpts, pathways, meeting=None):
    """The care teams of `pathways` (active members), the meeting's participants already recorded,
    and the CPTS's coordinators, as (« p<id> » / « a<id> » / « u<id> », label)."""
    members = CareTeamMember.objects.active().filter(pathway__in=pathways).select_related("professional", "partner")
    choices = {}
    for member in members:
        if member.professional_id:
            p = member.professional
            choices[f"p{p.pk}"] = f"{p.full_name} — {p.profession_label or 'professionnel de santé'}"
        else:
            choices[f"a{member.partner_id}"] = f"{member.partner.name} — partenaire"
    if meeting is not None:
        for seat in meeting.participants.all():
            choices.setdefault(seat.key, f"{seat.name} — {seat.function}")
    people = sorted(choices.items(), key=lambda item: item[1].lower())
    coordination = [
        (f"u{u.pk}", f"{u.get_full_name() or u.email} — coordination de la CPTS") for u in _coordinators(cpts)
    ]
    return people + coordination


def person_of(value: str):
    """The professional, partner or account a « p<id> » / « a<id> » / « u<id> » value names."""
    if len(value) < 2 or not value[1:].isdigit() or len(value) > 20:
        return None
    model = {"p": Professional, "a": Partner, "u": get_user_model()}.get(value[0])
    return model.objects.filter(pk=int(value[1:])).first() if model else None


class PathwayChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, pathway):
        return f"{pathway.last_name} {pathway.first_name} — {pathway.reference} ({pathway.template.name})"


class MeetingForm(VersionedForm):
    title = forms.CharField(
        label="Intitulé", max_length=200, help_text="Par exemple « RCP maintien à domicile » : pas de nom de patient."
    )
    day = forms.DateField(label="Date", **DATE)
    hour = forms.TimeField(label="Heure", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    remote = forms.BooleanField(label="En visioconférence", required=False)
    place = forms.CharField(label="Lieu", max_length=200, required=False)
    pathways = PathwayChoice(
        queryset=Pathway.objects.none(),
        label="Patients",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un patient.", "invalid_choice": "Patient inconnu."},
    )
    participants = forms.MultipleChoiceField(
        label="Participants",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Les membres des équipes de soins des patients, et la coordination de la CPTS.",
        error_messages={"invalid_choice": "Choisissez les participants parmi les équipes de soins des patients."},
    )

    def __init__(self, *args, cpts, user, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = access.visible_to(user, cpts).select_related("template")
        pathways = visible.filter(status=PathwayStatus.ACTIVE)
        if meeting is not None:
            pathways = visible.filter(status=PathwayStatus.ACTIVE) | visible.filter(meeting_entries__meeting=meeting)
        self.fields["pathways"].queryset = pathways.distinct().order_by("last_name", "first_name", "pk")
        self.fields["participants"].choices = _participant_choices(cpts, pathways.distinct(), meeting)

    def draft(self) -> MeetingDraft:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["hour"]))
        people = [person_of(value) for value in data["participants"]]
        return MeetingDraft(
            title=data["title"], starts_at=starts_at, pathways=list(data["pathways"]),
            participants=[person for person in people if person is not None],
            place=data["place"], remote=data["remote"],
        )  # fmt: skip


def _initial(meeting) -> dict:
    start = timezone.localtime(meeting.starts_at)
    return {
        "title": meeting.title,
        "day": start.date(),
        "hour": start.time().replace(second=0, microsecond=0),
        "remote": meeting.remote,
        "place": meeting.place,
        "pathways": [entry.pathway_id for entry in meeting.patients.all()],
        "participants": [seat.key for seat in meeting.participants.all()],
    }


class OutcomeForm(VersionedForm):
    questions = forms.CharField(label="Questions posées", max_length=TEXT_MAX, required=False, widget=forms.Textarea)
    decisions = forms.CharField(
        label="Décisions",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="Une fois la RCP tenue. Une ligne commençant par « - » devient une puce du compte rendu.",
    )

    def __init__(self, *args, pathway, **kwargs):
        super().__init__(*args, **kwargs)
        team = pathway.team.active().select_related("professional", "partner")
        for n in range(1, NEXT_STEP_ROWS + 1):
            self.fields[f"step_{n}"] = forms.CharField(label=f"Suite {n} : à faire", max_length=200, required=False)
            self.fields[f"due_{n}"] = forms.DateField(label=f"Suite {n} : échéance", required=False, **DATE)
            self.fields[f"assignee_{n}"] = forms.ModelChoiceField(
                queryset=team, required=False, label=f"Suite {n} : confiée à", empty_label="À affecter"
            )

    def clean(self):
        data = super().clean()
        for n in range(1, NEXT_STEP_ROWS + 1):
            if data.get(f"step_{n}") and not data.get(f"due_{n}"):
                self.add_error(f"due_{n}", f"Suite {n} : indiquez son échéance.")
        return data

    def next_steps(self) -> list[NextStep]:
        data = self.cleaned_data
        return [
            NextStep(data[f"step_{n}"], data[f"due_{n}"], data.get(f"assignee_{n}"))
            for n in range(1, NEXT_STEP_ROWS + 1)
            if data.get(f"step_{n}")
        ][:MAX_NEXT_STEPS]


# Views


def _meeting(request, slug, pk, action=READ):
    cpts = cpts_for(request, slug, Area.PATHWAYS, action)
    meeting = get_object_or_404(Meeting.objects.filter(cpts=cpts).select_related("cpts"), pk=pk)
    if not access.sees_meeting(request.user, meeting):
        raise Http404
    return cpts, meeting


def _back(meeting):
    return redirect("www:meeting_detail", slug=meeting.cpts.slug, pk=meeting.pk)


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # missing or unreadable: refused as stale


def meeting_list(request, slug):
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    today = timezone.localdate()
    context = {
        "cpts": cpts,
        "meetings": list_meetings(request.user, cpts),
        "may_schedule": access.may_schedule(request.user, cpts),
        "may_export": access.may_export_participation(request.user, cpts),
        "period": {"du": today.replace(month=1, day=1), "au": today},
    }
    return render(request, "pathways/meeting_list.html", context)


def meeting_new(request, slug):
    cpts = cpts_for(request, slug, Area.PATHWAYS, WRITE)
    if not access.may_schedule(request.user, cpts):
        raise Http404
    initial = {"hour": time(13), "day": timezone.localdate()}
    chosen = request.GET.get("parcours", "")
    if chosen.isdigit() and len(chosen) < 12:
        pathway = access.visible_to(request.user, cpts).filter(pk=int(chosen)).first()
        if pathway is not None:
            initial["pathways"] = [pathway.pk]
    own = access.professional_of(request.user)
    initial["participants"] = [f"u{request.user.pk}" if access.is_coordinator(request.user, cpts) else f"p{own.pk}"]
    form = MeetingForm(
        request.POST if request.method == "POST" else None, cpts=cpts, user=request.user, initial=initial
    )
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = schedule(cpts, form.draft(), request.user)
            except NotVisible:
                raise Http404 from None
            except PathwayError as exc:
                error = str(exc)
            else:
                when = timezone.localtime(meeting.starts_at)
                messages.success(request, f"RCP programmée le {when:%d/%m/%Y} à {when:%H:%M}.")
                return _back(meeting)
        context = {"cpts": cpts, "form": form, "error": error, "meeting": None}
        return render(request, "pathways/meeting_form.html", context, status=400)
    return render(request, "pathways/meeting_form.html", {"cpts": cpts, "form": form, "meeting": None})


def meeting_detail(request, slug, pk):
    cpts, meeting = _meeting(request, slug, pk)
    reading = read_meeting(request.user, meeting)
    context = {
        "cpts": cpts,
        "meeting": meeting,
        "reading": reading,
        "total": sum(p.minutes or 0 for p in reading.participants),
        "not_shared": minutes.NOT_SHARED,
        "planned": meeting.status == MeetingStatus.PLANNED,
        "held": meeting.status == MeetingStatus.HELD,
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
    }
    return render(request, "pathways/meeting_detail.html", context)


def meeting_edit(request, slug, pk):
    cpts, meeting = _meeting(request, slug, pk, WRITE)
    if not access.may_organise(request.user, meeting):
        raise Http404
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        cpts=cpts,
        user=request.user,
        meeting=meeting,
        initial=_initial(meeting),
        version=meeting.version,
    )
    if request.method != "POST":
        return render(request, "pathways/meeting_form.html", {"cpts": cpts, "form": form, "meeting": meeting})
    error = None
    if form.is_valid():
        try:
            edit_meeting(meeting, form.draft(), request.user, expected_version=form.expected_version)
        except StaleEdit:
            error = "Cette RCP vient d'être modifiée par quelqu'un d'autre : rechargez la page pour voir son état."
        except NotVisible:
            raise Http404 from None
        except PathwayError as exc:
            error = str(exc)
        else:
            messages.success(request, "RCP modifiée.")
            return _back(meeting)
    context = {"cpts": cpts, "form": form, "error": error, "meeting": meeting}
    return render(request, "pathways/meeting_form.html", context, status=400)


def meeting_held(request, slug, pk):
    """Declares the meeting held with each participant's time, or corrects the times later."""
    cpts, meeting = _meeting(request, slug, pk, WRITE)
    if not access.may_organise(request.user, meeting) or meeting.status == MeetingStatus.CANCELLED:
        raise Http404
    participants = list(meeting.participants.order_by("name", "pk"))
    error = None
    if request.method == "POST":
        spent = {p.pk: request.POST.get(f"minutes-{p.pk}", "").strip()[:10] for p in participants}
        try:
            if meeting.status == MeetingStatus.PLANNED:
                mark_held(meeting, request.user, minutes=spent, expected_version=_version(request))
                messages.success(request, "RCP déclarée tenue : ses décisions peuvent être enregistrées.")
            else:
                record_minutes(meeting, request.user, spent)
                messages.success(request, "Temps de participation enregistré.")
        except StaleEdit:
            error = "Cette RCP vient d'être modifiée par quelqu'un d'autre : rechargez la page pour voir son état."
        except PathwayError as exc:
            error = str(exc)
        else:
            return _back(meeting)
        for p in participants:
            p.typed = spent.get(p.pk, "")
    else:
        for p in participants:
            p.typed = "" if p.minutes is None else str(p.minutes)
    context = {"cpts": cpts, "meeting": meeting, "participants": participants, "error": error, "max": MAX_MINUTES}
    return render(request, "pathways/meeting_held.html", context, status=400 if error else 200)


@require_POST
def meeting_state(request, slug, pk):
    """Cancels a planned meeting, or programmes a cancelled one again."""
    _cpts, meeting = _meeting(request, slug, pk, WRITE)
    if not access.may_organise(request.user, meeting):
        raise Http404
    target = request.POST.get("etat", "")
    try:
        if target == MeetingStatus.CANCELLED:
            cancel(meeting, request.user, note=request.POST.get("motif", "")[:255], expected_version=_version(request))
            messages.success(request, "RCP annulée.")
        elif target == MeetingStatus.PLANNED:
            reschedule(meeting, request.user, expected_version=_version(request))
            messages.success(request, "RCP reprogrammée.")
        else:
            messages.error(request, "Changement d'état inconnu.")
    except StaleEdit:
        messages.error(request, "Cette RCP vient d'être modifiée par quelqu'un d'autre : voici son état actuel.")
    except PathwayError as exc:
        messages.error(request, str(exc))
    return _back(meeting)


def meeting_patient(request, slug, pk, entry):
    """A patient's questions, decisions and next steps (those who may read and act on the pathway)."""
    cpts, meeting = _meeting(request, slug, pk, WRITE)
    entry = get_object_or_404(MeetingPatient.objects.filter(meeting=meeting).select_related("pathway"), pk=entry)
    pathway = entry.pathway
    if not access.sees(request.user, pathway):
        raise Http404
    if not access.may_record_for(request.user, pathway):
        messages.error(
            request,
            "Le patient n'a pas consenti au partage de ses informations avec la coordination de la CPTS : seuls "
            "les membres de son équipe de soins écrivent les questions et décisions de la RCP le concernant.",
        )
        return _back(meeting)
    initial = {"questions": entry.questions, "decisions": entry.decisions}
    form = OutcomeForm(
        request.POST if request.method == "POST" else None, pathway=pathway, initial=initial, version=entry.version
    )
    error = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            decisions = data["decisions"] if data["decisions"] != entry.decisions else None
            steps = form.next_steps()
            try:
                record_outcome(
                    entry, request.user, questions=data["questions"], decisions=decisions, next_steps=steps,
                    expected_version=form.expected_version,
                )  # fmt: skip
            except StaleEdit:
                error = (
                    "Les questions ou décisions de ce patient viennent d'être modifiées par quelqu'un d'autre : "
                    "rechargez la page pour les voir avant d'enregistrer les vôtres."
                )
            except PathwayError as exc:
                error = str(exc)
            else:
                added = agree(len(steps), "ajoutée")
                done = f" ; {plural(len(steps), 'suite')} {added} aux tâches du parcours" if steps else ""
                messages.success(request, f"RCP : {pathway.reference} enregistré{done}.")
                return _back(meeting)
        context = {"cpts": cpts, "meeting": meeting, "entry": entry, "form": form, "error": error}
        return render(request, "pathways/meeting_patient.html", context, status=400)
    context = {"cpts": cpts, "meeting": meeting, "entry": entry, "form": form}
    return render(request, "pathways/meeting_patient.html", context)


def meeting_minutes(request, slug, pk):
    _cpts, meeting = _meeting(request, slug, pk)
    reading = read_meeting(request.user, meeting, purpose="minutes")
    response = HttpResponse(minutes.docx_bytes(reading), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{minutes.filename(meeting)}"'
    return response


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    values = []
    for name, default in (("du", today.replace(month=1, day=1)), ("au", today)):
        typed = request.GET.get(name, "").strip()
        if not typed:
            values.append(default)
            continue
        try:
            day = date.fromisoformat(typed[:10])
        except ValueError:
            raise PathwayError(f"« {typed[:20]} » n'est pas une date (attendu : AAAA-MM-JJ).") from None
        if not bounds.MIN_YEAR <= day.year <= bounds.MAX_YEAR:
            raise PathwayError(f"Les dates de la période sont entre {bounds.MIN_YEAR} et {bounds.MAX_YEAR}.")
        values.append(day)
    return values[0], values[1]


def _participation(request, slug, extension):
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    if not access.may_export_participation(request.user, cpts):
        raise Http404
    try:
        start, end = _period(request)
        rows = participation_rows(cpts, request.user, start, end)
    except PathwayError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    name = f"participation-rcp-{cpts.slug}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.{extension}"
    if extension == "csv":
        shown = [[*row[:3], f"{row[3]:%d/%m/%Y}", row[4], row[5]] for row in rows]
        return csv_response(name, PARTICIPATION_HEADER, shown)
    return xlsx_response(name, "Participation aux RCP", PARTICIPATION_HEADER, rows)


def participation_csv(request, slug):
    return _participation(request, slug, "csv")


def participation_xlsx(request, slug):
    return _participation(request, slug, "xlsx")
