"""The member's side: a GP's offer and the proposals addressed to them; any member's referral."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core.french import plural
from maillage.core.versioning import StaleEdit
from maillage.directory import answers as directory_answers
from maillage.doctor_access.actions import AccessError, doctors, intake
from maillage.doctor_access.actions.privacy import record_list_read, record_read
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.doctor_access.models.requests import Channel
from maillage.doctor_access.priority import Criterion, age_on, criteria_of
from maillage.doctor_access.states import Status
from maillage.territory.models import Commune
from maillage.www.doctor_access.forms import DeclareForm, DeclineForm, OfferForm, ReferralForm
from maillage.www.feedback import form_errors
from maillage.www.scoping import WRITE, Area, cpts_for, professional_of


def _practice_communes(cpts, professional):
    """Where the doctor practises in the CPTS's territory (or anywhere, failing that)."""
    mine = Commune.objects.filter(activities__professional=professional, activities__active=True).distinct()
    inside = mine.filter(cpts_links__cpts=cpts)
    return inside if inside.exists() else (mine if mine.exists() else cpts.communes())


def _proposal_rows(proposals, user, today):
    rows = []
    for proposal in proposals:
        patient = proposal.request
        if proposal.status == Proposal.Status.PENDING:
            record_read(patient, user, what="proposition au médecin")
        rows.append(
            {
                "proposal": proposal,
                "patient": patient,
                "age": age_on(patient.birth_date, today),
                "criteria": [Criterion(c).label for c in criteria_of(patient, today)],
                "decline": DeclineForm(prefix=f"p{proposal.pk}"),
            }
        )
    return rows


def doctor_space(request, slug):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_OWN)
    professional = professional_of(request.user)
    if professional is None or not doctors.is_general_practitioner(professional):
        return render(request, "doctor_access/doctor_space.html", {"cpts": cpts, "not_a_gp": True})
    doctors.expire_proposals(cpts)  # a proposal past its date is no longer the doctor's to answer
    offer = DoctorOffer.objects.filter(cpts=cpts, professional=professional).first()
    practice = _practice_communes(cpts, professional)
    form = OfferForm(request.POST or None, instance=offer, cpts=cpts, practice_communes=practice)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                doctors.save_offer(
                    cpts, request.user, professional, data, request.user, expected_version=form.expected_version
                )
            except StaleEdit as exc:
                form.refuse(exc)
                status = 409
            except AccessError as exc:
                messages.error(request, str(exc))
                return redirect("www:doctor_space", slug=cpts.slug)
            else:
                messages.success(request, "Vos disponibilités sont enregistrées.")
                return redirect("www:doctor_space", slug=cpts.slug)
        else:
            status = 400
    proposals = (
        Proposal.objects.filter(offer__cpts=cpts, offer__professional=professional)
        .select_related("request__commune")
        .order_by("status", "-created_at")
    )
    today = timezone.localdate()
    pending = [p for p in proposals if p.status == Proposal.Status.PENDING]
    answered = [p for p in proposals if p.status != Proposal.Status.PENDING][:30]
    accepted = [p.request_id for p in answered if p.status == Proposal.Status.ACCEPTED]
    for p in answered:  # the « médecin traitant déclaré » step after an acceptance
        if p.status == Proposal.Status.ACCEPTED and p.request.status == Status.ACCEPTED:
            p.declare_form = DeclareForm(prefix=f"d{p.pk}", initial={"declared_on": today})
    if accepted:  # their name and phone are shown: a read of patients' data like any other
        record_list_read(cpts, request.user, shown=accepted)
    return render(
        request,
        "doctor_access/doctor_space.html",
        {
            "cpts": cpts,
            "professional": professional,
            "offer": offer,
            "places_left": offer.places_left() if offer else 0,
            "form": form,
            "pending": _proposal_rows(pending, request.user, today),
            "answered": answered,
            "directory": _directory_answers(cpts, professional),
        },
        status=status,
    )


def _directory_answers(cpts, professional) -> dict:
    """What the CPTS's directory says of the doctor, and why: their offer and their slots."""
    from maillage.unscheduled.enums import SlotStatus
    from maillage.unscheduled.models import Slot

    derived = directory_answers.derived(cpts, professional)
    upcoming = Slot.objects.filter(
        cpts=cpts, professional=professional, end__gte=timezone.now(), status__in=[SlotStatus.FREE, SlotStatus.BOOKED]
    ).count()
    return {
        "accepts": derived.get("accepts_new_patients", False),
        "snp": derived.get("takes_part_in_snp", False),
        "upcoming": plural(upcoming, "créneau à venir", "créneaux à venir"),
        "national_id": professional.national_id,
    }


@require_POST
def proposal_answer(request, slug, pk):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_OWN, WRITE)
    professional = professional_of(request.user)
    # Only the doctor the proposal is addressed to finds it; anyone else gets a 404.
    proposal = get_object_or_404(
        Proposal.objects.select_related("request"), pk=pk, offer__cpts=cpts, offer__professional=professional
    )
    accept = request.POST.get("decision") == "accepter"
    form = DeclineForm(request.POST, prefix=f"p{proposal.pk}")
    if not accept and not form.is_valid():
        messages.error(request, "Indiquez le motif du refus.")
        return redirect("www:doctor_space", slug=cpts.slug)
    try:
        doctors.answer(
            proposal,
            accept=accept,
            actor=request.user,
            reason="" if accept else form.cleaned_data["reason"],
            note="" if accept else form.cleaned_data["note"],
        )
    except AccessError as exc:
        messages.error(request, str(exc))
    else:
        patient = proposal.request
        if accept:
            messages.success(
                request,
                f"Vous avez accepté {patient.first_name} {patient.last_name} : le patient est prévenu "
                "et prendra rendez-vous avec votre cabinet.",
            )
        else:
            messages.success(request, "Proposition refusée : le patient est remis en attente.")
    return redirect("www:doctor_space", slug=cpts.slug)


@require_POST
def proposal_declare(request, slug, pk):
    """The doctor records that the patient they accepted has declared them médecin traitant."""
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_OWN, WRITE)
    professional = professional_of(request.user)
    proposal = get_object_or_404(
        Proposal.objects.select_related("request"), pk=pk, offer__cpts=cpts, offer__professional=professional
    )
    form = DeclareForm(request.POST, prefix=f"d{proposal.pk}")
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:doctor_space", slug=cpts.slug)
    try:
        doctors.declare(proposal, actor=request.user, declared_on=form.cleaned_data["declared_on"])
    except AccessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Déclaration enregistrée : vous êtes le médecin traitant de {proposal.request.full_name} "
            f"depuis le {form.cleaned_data['declared_on']:%d/%m/%Y}.",
        )
    return redirect("www:doctor_space", slug=cpts.slug)


def referral(request, slug):
    """A member (pharmacist, nurse, hospital discharge team…) refers a patient without a doctor.
    They do not read the list: they get the reference of what they sent."""
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_OWN)
    professional = professional_of(request.user)
    initial = {}
    if professional is not None:
        initial["referrer_label"] = f"{professional.full_name} ({professional.profession_label})"
    form = ReferralForm(request.POST or None, cpts=cpts, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            created = intake.submit_request(
                cpts, data, channel=Channel.REFERRAL, actor=request.user, referrer_label=data["referrer_label"]
            )
            messages.success(
                request, f"Patient orienté : demande {created.reference} transmise à l'équipe de coordination."
            )
            return redirect("www:doctor_referral", slug=cpts.slug)
        return render(request, "doctor_access/referral.html", {"cpts": cpts, "form": form}, status=400)
    return render(request, "doctor_access/referral.html", {"cpts": cpts, "form": form})
