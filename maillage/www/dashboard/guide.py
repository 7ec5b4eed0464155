"""The founding steps of a CPTS, for its coordinator's dashboard until the ARS has validated the
projet de santé: letter of intent → territory and diagnostic → projet de santé → the ARS's answer.

Each step says whether it is done (and what shows it), and the first one not done is « à faire
maintenant » with the link where it is done. Everything is read from what the coordinator already
recorded (milestones, territory, projet, the ARS's decision): no checkbox to tick by hand.
"""

from dataclasses import dataclass, replace
from datetime import date

from django.urls import reverse
from django.utils import timezone

from maillage.core.french import plural
from maillage.indicators.registry import Mission
from maillage.lifecycle import ars, timeline
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.phases import Phase
from maillage.projet import actions as projet_actions
from maillage.projet.models import FicheIndicator
from maillage.projet.states import Status

DONE, NOW, LATER = "done", "now", "later"
STATE_LABELS = {DONE: "fait", NOW: "à faire maintenant", LATER: "ensuite"}


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    detail: str  # what shows it is done, or what remains
    url: str
    action: str  # the link's words when it is the step to do now
    state: str = LATER

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _letter(cpts, dates) -> Step:
    day = dates.get(Kind.LETTER_OF_INTENT)
    return Step(
        1,
        "Lettre d'intention à l'ARS",
        day is not None,
        f"Datée du {_day(day)}." if day else "Envoyez la lettre d'intention à l'ARS, puis datez-la ici.",
        # The timeline, at the letter's date field (the milestone's own URL only takes the form's POST).
        reverse("www:lifecycle_timeline", args=[cpts.slug]) + f"#date-{Kind.LETTER_OF_INTENT}",
        "Dater la lettre d'intention",
    )


def _diagnostic(cpts, projet) -> Step:
    communes = cpts.territory.count()
    if not communes:
        return Step(
            2,
            "Territoire et diagnostic",
            False,
            "Le territoire n'a encore aucune commune : choisissez-les, le diagnostic se calcule ensuite.",
            reverse("www:territory_edit", args=[cpts.slug]),
            "Définir le territoire",
        )
    analysed = projet is not None and bool(projet.diagnostic_comment.strip())
    where = plural(communes, "commune")
    return Step(
        2,
        "Territoire et diagnostic",
        analysed,
        f"{where} ; analyse du diagnostic écrite dans le projet."
        if analysed
        else f"{where} : lisez le diagnostic territorial (population, professionnels, zonage).",
        reverse("www:projet_diagnostic", args=[cpts.slug]),
        "Lire le diagnostic",
    )


def _projet(cpts, projet) -> Step:
    url = reverse("www:projet_home", args=[cpts.slug])
    if projet is None:
        return Step(
            3,
            "Projet de santé",
            False,
            "Maillage écrit le premier brouillon avec ce qu'il sait : relisez-le et fixez les cibles.",
            url,
            "Commencer le projet de santé",
        )
    if projet.status != Status.DRAFT:
        return Step(3, "Projet de santé", True, f"Version {projet.version} déposée à l'ARS.", url, "")
    fiches = list(projet.fiches.values_list("mission", flat=True))
    missions = len(set(fiches))
    without_target = FicheIndicator.objects.filter(fiche__projet=projet, target__isnull=True).count()
    remaining = f" ; {plural(without_target, 'indicateur')} sans cible" if without_target else ""
    return Step(
        3,
        "Projet de santé",
        False,
        f"Brouillon : {plural(len(fiches), 'fiche-action', 'fiches-actions')}, "
        f"{plural(missions, 'mission')} sur {len(Mission.choices)}{remaining}.",
        url,
        "Compléter et déposer le projet",
    )


def _ars(cpts, projet, dates, today) -> Step:
    url = reverse("www:projet_home", args=[cpts.slug])
    title = "Réponse de l'ARS"
    validation = timeline.validation_from(dates, timeline.latest_decision(cpts))
    if (projet is not None and projet.status == Status.VALIDATED) or (
        validation is not None and validation.validated(today)
    ):
        if validation is not None and validation.tacit:
            return Step(4, title, True, f"Réputé validé le {_day(validation.deemed_on)} (silence de l'ARS).", url, "")
        return Step(4, title, True, "Projet de santé validé par l'ARS.", url, "")
    waiting = ars.pending(cpts, projet) if projet is not None else None
    if waiting is not None:
        detail = (
            f"Déposé le {_day(waiting.submitted_on)} : sans réponse, le projet sera réputé validé le "
            f"{_day(waiting.deemed_on)}."
        )
        return Step(4, title, False, detail, url, "Suivre le dépôt")
    if validation is not None and validation.objected_on:
        detail = f"Objection de l'ARS du {_day(validation.objected_on)} : modifiez le projet et déposez-le à nouveau."
        return Step(4, title, False, detail, url, "Lire l'objection")
    return Step(
        4,
        title,
        False,
        "Après le dépôt, l'ARS a deux mois pour répondre ; sans réponse, le projet est réputé validé.",
        url,
        "Déposer le projet",
    )


def steps(cpts, today: date | None = None) -> list[Step]:
    """The four founding steps while the CPTS is in idéation or conception, or [] once they are all
    done (the guide has done its work; the to-do list takes over)."""
    today = today or timezone.localdate()
    if timeline.phase_of(cpts) not in (Phase.IDEATION, Phase.CONCEPTION):
        return []  # contracting or running: the founding steps are behind it
    projet = projet_actions.current(cpts)
    dates = timeline.dates_of(cpts)
    found = [_letter(cpts, dates), _diagnostic(cpts, projet), _projet(cpts, projet), _ars(cpts, projet, dates, today)]
    if all(step.done for step in found):
        return []
    first = next(n for n, step in enumerate(found) if not step.done)
    return [replace(step, state=DONE if step.done else (NOW if n == first else LATER)) for n, step in enumerate(found)]
