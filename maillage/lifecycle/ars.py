"""The ARS's answer to a filed projet de santé, recorded by the ARS itself.

A regional viewer or regional admin of the CPTS's région (policy area `lifecycle_ars_decision`)
reads the filed version and records its decision: validated, or an objection with its reasons.
The law gives the ARS two months from the filing (article L1434-12 CSP): past them its silence is
a validation, computed by maillage/lifecycle/timeline.py, and an answer can no longer be recorded.

One transaction, one audit entry; the coordinators are told by an email sent once it commits,
which carries no content of the decision, only a link to the CPTS's timeline.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, versioning
from maillage.core.french import day as french_day
from maillage.core.mail import send_after_commit, site_link
from maillage.core.models import log_transition
from maillage.lifecycle.actions import LifecycleError, _locked, date_problems
from maillage.lifecycle.dates import deemed_validation
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.models import ArsDecision, Milestone
from maillage.lifecycle.timeline import dates_of

MAX_REASONS = 4000
Outcome = ArsDecision.Outcome


@dataclass(frozen=True)
class Pending:
    """A filed projet awaiting the ARS's answer."""

    projet: object  # a projet.ProjetSante
    submitted_on: date
    deemed_on: date  # the day the ARS's silence validates it

    def tacit(self, today: date) -> bool:
        """Whether the two months have passed: validated by the ARS's silence, no answer possible."""
        return today >= self.deemed_on


def submitted_on(cpts, projet, dates: dict[str, date] | None = None) -> date:
    """The day `projet` was filed: for the first version, « Projet de santé déposé » (the timeline
    counts from it; filing dates it); for a later version, the day that version was filed."""
    dates = dates_of(cpts) if dates is None else dates
    if projet.version == 1 and Kind.PROJECT_SUBMITTED in dates:
        return dates[Kind.PROJECT_SUBMITTED]
    filed = projet.transitions.filter(target="depose").order_by("-at").values_list("at", flat=True).first()
    return timezone.localdate(filed) if filed else timezone.localdate()


def pending(cpts, projet=None) -> Pending | None:
    """The CPTS's filed projet awaiting an answer, or None (no projet, or not filed)."""
    from maillage.projet.actions import current

    projet = projet or current(cpts)
    if projet is None or projet.status != "depose":
        return None
    day = submitted_on(cpts, projet)
    return Pending(projet, day, deemed_validation(day))


def awaiting(cpts_list, today: date | None = None) -> list[tuple[object, Pending]]:
    """(CPTS, Pending) for those of `cpts_list` whose filed projet awaits the ARS's answer (the
    two months not yet passed), the nearest tacit validation first. A filed projet is always its
    CPTS's latest version."""
    from maillage.projet.models import ProjetSante

    today = today or timezone.localdate()
    by_cpts = {c.pk: c for c in cpts_list}
    found = []
    for projet in ProjetSante.objects.filter(cpts__in=list(by_cpts), status="depose"):
        waiting = pending(by_cpts[projet.cpts_id], projet)
        if waiting is not None and not waiting.tacit(today):
            found.append((by_cpts[projet.cpts_id], waiting))
    return sorted(found, key=lambda pair: (pair[1].deemed_on, pair[0].name))


def note_filing(cpts, today: date) -> None:
    """Called when the coordinator files the projet (inside its transaction): « Projet de santé
    déposé » is dated today when it is not dated yet, or when the ARS objected after it (the clock
    of the two months starts again). Once the ARS has validated a projet, the milestone stays."""
    dates = dates_of(cpts)
    last = ArsDecision.objects.filter(cpts=cpts).order_by("-decided_on", "-id").first()
    if Kind.ARS_RESPONSE in dates:
        return
    filed = dates.get(Kind.PROJECT_SUBMITTED)
    if filed is not None and not (last and last.outcome == Outcome.OBJECTION and last.decided_on >= filed):
        return
    dates.pop(Kind.PROJECT_SUBMITTED, None)
    if date_problems(Kind.PROJECT_SUBMITTED, today, dates, today):
        return  # a later milestone is dated before today: leave the coordinator's dates alone
    version = versioning.check_and_bump(Milestone.objects.filter(cpts=cpts, kind=Kind.PROJECT_SUBMITTED), None)
    Milestone.objects.update_or_create(
        cpts=cpts, kind=Kind.PROJECT_SUBMITTED, defaults={"date": today, "version": version}
    )


def _problems(outcome: str, day: date | None, reasons: str) -> list[str]:
    found = []
    if outcome not in Outcome.values:
        found.append("Choisissez la décision de l'ARS : projet validé, ou objection.")
    if day is None:
        found.append("Indiquez la date de la décision.")
    if outcome == Outcome.OBJECTION and not reasons:
        found.append("Une objection se motive : indiquez ses motifs.")
    if len(reasons) > MAX_REASONS:
        found.append(f"Les motifs tiennent en {MAX_REASONS} caractères au plus ({len(reasons)} saisis).")
    return found


def record_decision(
    cpts,
    outcome: str,
    day: date | None,
    *,
    actor,
    reasons: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> ArsDecision:
    """Records the ARS's decision on the CPTS's filed projet. Refused (`LifecycleError`, in French)
    when nothing is filed, when the two months have passed (the projet is validated by silence),
    or for a date before the filing or in the future; refused (`versioning.StaleEdit`) when another
    answer was recorded since the form was read at `expected_version` (the version of the
    « Réponse de l'ARS » milestone)."""
    from maillage.projet.models import ProjetSante, ProjetTransition

    reasons = (reasons or "").strip()
    today = today or timezone.localdate()
    errors = _problems(outcome, day, reasons)
    if errors:
        raise LifecycleError(errors)
    with transaction.atomic():
        _locked(cpts)
        answer = Milestone.objects.filter(cpts=cpts, kind=Kind.ARS_RESPONSE)
        version = versioning.check_and_bump(answer, expected_version)
        projet = ProjetSante.objects.select_for_update().filter(cpts=cpts).order_by("-version").first()
        if projet is None or projet.status != "depose":
            raise LifecycleError("Aucun projet de santé déposé n'attend la réponse de l'ARS.")
        dates = dates_of(cpts)
        filed = submitted_on(cpts, projet, dates)
        deemed = deemed_validation(filed)
        if today >= deemed:
            raise LifecycleError(
                f"Le projet de santé déposé le {french_day(filed)} est réputé validé "
                f"depuis le {french_day(deemed)} : l'ARS "
                "n'a pas répondu dans les deux mois (article L1434-12 du code de la santé publique). Une réponse "
                "ne peut plus être enregistrée."
            )
        if day < filed:
            raise LifecycleError(f"La décision ne peut pas précéder le dépôt du projet ({french_day(filed)}).")
        if day > today:
            raise LifecycleError(
                f"La date {french_day(day)} est dans le futur : enregistrez la décision une fois prise."
            )
        milestone, _ = Milestone.objects.get_or_create(cpts=cpts, kind=Kind.ARS_RESPONSE)
        # The milestone is the first version's answer; a later version's is in its ArsDecision only.
        first_answer = milestone.date is None and projet.version == 1
        if first_answer and outcome == Outcome.VALIDATED:
            others = {k: v for k, v in dates.items() if k != Kind.ARS_RESPONSE}
            problems = date_problems(Kind.ARS_RESPONSE, day, others, today)
            if problems:
                raise LifecycleError(problems)
            milestone.date, milestone.note = day, ""
        milestone.version = version
        milestone.save()
        decision = ArsDecision.objects.create(
            cpts=cpts,
            projet=projet,
            submitted_on=filed,
            outcome=outcome,
            decided_on=day,
            reasons=reasons if outcome == Outcome.OBJECTION else "",
            recorded_by=audit.user_or_none(actor),
        )
        source = projet.status
        projet.status = "valide" if outcome == Outcome.VALIDATED else "brouillon"
        projet.save(update_fields=["status", "updated_at"])
        note = "réponse de l'ARS : projet validé" if outcome == Outcome.VALIDATED else "objection de l'ARS"
        log_transition(ProjetTransition, actor=actor, source=source, target=projet.status, note=note, projet=projet)
        audit.record(
            "lifecycle.ars.decided",
            actor=actor,
            cpts=cpts,
            obj=decision,
            details={"décision": outcome, "date": day.isoformat(), "version du projet": projet.version},
        )
        _notify(cpts, projet.version)
    return decision


def _notify(cpts, version: int) -> None:
    """Each coordinator of the CPTS is told that the ARS answered; what it said is on the page."""
    link = site_link(reverse("www:lifecycle_timeline", args=[cpts.slug]))
    emails = sorted(
        set(
            Role.objects.filter(cpts=cpts, kind=RoleKind.COORDINATOR, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    for email in emails:
        send_after_commit(
            email,
            "Réponse de l'ARS à votre projet de santé",
            f"Bonjour,\n\nL'ARS a enregistré sa réponse au projet de santé de la CPTS {cpts.name} "
            f"(version {version}).\n\nConsultez-la dans Maillage : {link}\n",
        )
