"""The first draft of a projet de santé, written from what Maillage already knows.

An idéation coordinator used to type the population, the densities, the team, the partners and
the deadlines that the platform already holds. `build` writes them instead: the presentation
(territory, population, tier, team), the governance (coordinators, members by profession,
partners, the territory's establishments), a starter analysis of the diagnostic with its sources
and their dates, and one fiche-action per mission with the ACI's legal deadlines and the
registry's indicators, their current values as baselines. Targets are left to the coordinator:
they are the CPTS's commitment, not a figure Maillage can know.

Pure reading: nothing is written here (`actions.start` saves the draft).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from maillage.accounts.models import RoleKind
from maillage.core.french import plural
from maillage.directory.models import Partner, Structure
from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.indicators.registry import Mission
from maillage.lifecycle import timeline
from maillage.lifecycle.dates import add_months
from maillage.lifecycle.milestones import MISSION_DEADLINES
from maillage.lifecycle.milestones import Mission as AciMission
from maillage.projet.diagnostic import Diagnostic
from maillage.projet.formatting import local_day, number
from maillage.projet.models.zoning import Zone

LISTED = 8  # names listed before « et N autres »
# The ACI mission each fiche's mission falls under (the two access missions are one for the ACI).
ACI_MISSION = {
    Mission.DOCTOR_ACCESS: AciMission.ACCESS,
    Mission.UNSCHEDULED: AciMission.ACCESS,
    Mission.PATHWAYS: AciMission.PATHWAYS,
    Mission.PREVENTION: AciMission.PREVENTION,
    Mission.QUALITY: AciMission.QUALITY,
    Mission.SUPPORT: AciMission.SUPPORT,
    Mission.CRISIS: AciMission.CRISIS,
}


@dataclass(frozen=True)
class Template:
    """What every CPTS's fiche for a mission starts from; the figures are added per CPTS."""

    title: str
    objective: str
    actions: list[str]
    means: str
    indicators: list[str]  # registry codes, baselines read from the registry
    free_indicators: list[tuple[str, str]] = field(default_factory=list)  # (label, unit), no code yet


TEMPLATES = {
    Mission.DOCTOR_ACCESS: Template(
        title="Trouver un médecin traitant aux patients qui n'en ont pas",
        objective="Faciliter l'accès à un médecin traitant des patients du territoire qui n'en ont pas, en priorité "
        "les patients vulnérables (ALD, 70 ans ou plus, C2S ou AME).",
        actions=[
            "Recenser les patients sans médecin traitant (liste d'attente de la CPTS, signalements des "
            "pharmaciens et de l'Assurance maladie).",
            "Qualifier chaque demande et la proposer aux médecins volontaires selon leur capacité.",
            "Suivre la déclaration du médecin traitant après l'acceptation.",
        ],
        means="Temps de coordination financé par l'ACI ; liste d'attente et appariement dans Maillage.",
        indicators=[
            "doctor_access.found_doctor",
            "doctor_access.vulnerable_without_doctor",
            "cpam.ald_sans_mt",
        ],
    ),
    Mission.UNSCHEDULED: Template(
        title="Répondre aux demandes de soins non programmés dans les 24 heures",
        objective="Organiser en ville la prise en charge le jour même ou dans les 24 heures des demandes de soins "
        "non programmés, en lien avec le service d'accès aux soins (SAS).",
        actions=[
            "Constituer le groupe des professionnels qui ouvrent des créneaux de soins non programmés.",
            "Mettre en place le numéro unique de la CPTS et sa régulation.",
            "Publier les créneaux disponibles au SAS.",
        ],
        means="Temps de régulation ; créneaux et réservations dans Maillage, publiés au SAS.",
        indicators=["unscheduled.served_within_24h", "unscheduled.requests"],
    ),
    Mission.PATHWAYS: Template(
        title="Organiser des parcours pluriprofessionnels",
        objective="Organiser autour du patient des parcours pluriprofessionnels qui évitent les ruptures de prise en "
        "charge et favorisent le maintien à domicile.",
        actions=[
            "Choisir avec les professionnels un ou deux premiers parcours (sortie d'hospitalisation, personne âgée "
            "fragile, plaies chroniques…).",
            "Écrire le protocole de chaque parcours avec les établissements et le DAC.",
            "Évaluer le parcours au bout d'un an.",
        ],
        means="Temps de coordination ; groupes de travail pluriprofessionnels.",
        indicators=[],
        free_indicators=[("Parcours pluriprofessionnels formalisés", "parcours"), ("Patients inclus", "patients")],
    ),
    Mission.PREVENTION: Template(
        title="Développer la prévention sur le territoire",
        objective="Développer des actions de prévention, de dépistage et de promotion de la santé adaptées aux "
        "besoins du territoire.",
        actions=[
            "Relayer les campagnes de dépistage organisé et de vaccination.",
            "Organiser au moins une action de prévention par an avec les partenaires du territoire.",
        ],
        means="Temps de coordination ; supports des campagnes nationales.",
        indicators=["cpam.depistage_colorectal", "cpam.depistage_sein", "cpam.vaccination_grippe_65"],
    ),
    Mission.QUALITY: Template(
        title="Améliorer la qualité et la pertinence des soins",
        objective="Améliorer la qualité et la pertinence des soins par des démarches pluriprofessionnelles : analyse "
        "de pratiques, protocoles partagés, revues de cas.",
        actions=[
            "Réunir des groupes d'analyse de pratiques pluriprofessionnels.",
            "Choisir un thème de pertinence par an (antibiotiques, iatrogénie…).",
        ],
        means="Temps de coordination ; indemnisation des professionnels participants.",
        indicators=[],
        free_indicators=[("Réunions d'analyse de pratiques", "réunions")],
    ),
    Mission.SUPPORT: Template(
        title="Accompagner les professionnels de santé",
        objective="Renforcer l'attractivité du territoire et accompagner les professionnels : installation, accueil "
        "des stagiaires, exercice coordonné.",
        actions=[
            "Accueillir les professionnels qui s'installent et les présenter au réseau.",
            "Développer l'accueil des étudiants en stage.",
        ],
        means="Temps de coordination ; annuaire des professionnels du territoire dans Maillage.",
        indicators=[],
        free_indicators=[("Professionnels accompagnés", "professionnels")],
    ),
    Mission.CRISIS: Template(
        title="Se préparer aux crises sanitaires",
        objective="Préparer la réponse de la CPTS aux crises sanitaires (épidémie, canicule, catastrophe) en lien "
        "avec l'ARS et les collectivités.",
        actions=[
            "Écrire le plan de réponse aux crises sanitaires de la CPTS.",
            "Tenir à jour la liste des professionnels mobilisables et des moyens de les joindre.",
            "Tester le plan par un exercice.",
        ],
        means="Temps de coordination ; annuaire et messagerie de la CPTS.",
        indicators=[],
        free_indicators=[("Exercices de crise réalisés", "exercices")],
    ),
}


@dataclass
class StarterIndicator:
    code: str
    label: str
    unit: str
    baseline: Decimal | None


@dataclass
class StarterFiche:
    mission: str
    title: str
    objective: str
    needs: str
    actions: str
    lead: str
    partners: str
    means: str
    calendar: str
    indicators: list[StarterIndicator]


@dataclass
class Starter:
    presentation: str
    governance: str
    diagnostic_comment: str
    fiches: list[StarterFiche]


def _day(value) -> str:
    return f"{value:%d/%m/%Y}"


def _names(names: list[str]) -> str:
    names = [name for name in names if name]
    if len(names) <= LISTED:
        return ", ".join(names)
    return f"{', '.join(names[:LISTED])} et {plural(len(names) - LISTED, 'autre')}"


@dataclass
class Team:
    coordinators: list[str]
    members: list[tuple[str, int]]  # (profession, count)
    member_count: int
    regulators: int
    partners: list[tuple[str, list[str]]]  # (kind, names)
    structures: list[tuple[str, list[str]]]  # (category, names)


def team_of(cpts) -> Team:
    roles = cpts.roles.select_related("user", "user__professional_account__professional")
    coordinators, professions, regulators, members = [], {}, 0, set()
    for role in roles.order_by("user__last_name", "user__first_name"):
        if role.kind == RoleKind.COORDINATOR:
            coordinators.append(str(role.user))
        elif role.kind == RoleKind.REGULATOR:
            regulators += 1
        elif role.kind == RoleKind.MEMBER and role.user_id not in members:
            members.add(role.user_id)
            account = getattr(role.user, "professional_account", None)
            label = (account.professional.profession_label if account else "") or "profession non renseignée"
            professions[label] = professions.get(label, 0) + 1
    partners: dict[str, list[str]] = {}
    for partner in Partner.objects.of_cpts(cpts).order_by("kind", "name"):
        partners.setdefault(partner.get_kind_display(), []).append(partner.name)
    structures: dict[str, list[str]] = {}
    rows = (
        Structure.objects.filter(commune__in=cpts.communes(), active=True)
        .order_by("category_label", "short_name")
        .values_list("category_label", "short_name")
    )
    for category, name in rows[:200]:
        structures.setdefault(category or "autre établissement", []).append(name)
    return Team(
        coordinators=coordinators,
        members=sorted(professions.items(), key=lambda item: (-item[1], item[0])),
        member_count=len(members),
        regulators=regulators,
        partners=list(partners.items()),
        structures=list(structures.items()),
    )


def _presentation(cpts, diagnostic: Diagnostic, team: Team) -> str:
    communes = [c.name for c in diagnostic.communes]
    lines = [
        f"La {cpts.name} réunit les professionnels de santé de {plural(len(communes), 'commune')} "
        f"({_names(communes)}) : {number(diagnostic.population)} habitants, soit une CPTS de "
        f"{diagnostic.tier.label.lower()} (taille {diagnostic.tier.code} de l'accord conventionnel "
        "interprofessionnel).",
        f"{plural(diagnostic.professionals, 'professionnel')} de santé exercent sur le territoire d'après "
        "l'annuaire national (RPPS et ADELI).",
    ]
    if team.coordinators:
        lines.append(f"Coordination : {_names(team.coordinators)}.")
    if team.member_count:
        lines.append(f"{plural(team.member_count, 'professionnel membre', 'professionnels membres')} à ce jour.")
    return "\n".join(lines)


def _governance(team: Team) -> str:
    lines = []
    if team.coordinators:
        lines.append(f"- Coordination : {_names(team.coordinators)}.")
    if team.members:
        by_profession = ", ".join(f"{label} : {count}" for label, count in team.members)
        lines.append(f"- Membres : {plural(team.member_count, 'professionnel')} ({by_profession}).")
    if team.regulators:
        lines.append(f"- Régulation du numéro unique : {plural(team.regulators, 'régulateur')}.")
    for kind, names in team.partners:
        lines.append(f"- Partenaires ({kind}) : {_names(names)}.")
    for category, names in team.structures:
        lines.append(f"- Établissements du territoire ({category}) : {_names(names)}.")
    if not lines:
        lines.append("- L'équipe se constitue : invitez les coordinateurs et les membres dans Maillage.")
    return "\n".join(lines)


def _sources(diagnostic: Diagnostic, today: date) -> str:
    parts = ["population municipale de l'INSEE (code officiel géographique installé dans Maillage)"]
    if diagnostic.directory_date:
        parts.append(f"annuaire RPPS et ADELI importé le {_day(local_day(diagnostic.directory_date))}")
    else:
        parts.append("annuaire RPPS et ADELI chargé dans Maillage")
    if diagnostic.zoning_demo:
        parts.append("zonage fictif de démonstration")
    elif diagnostic.zoning_loaded:
        parts.append("zonage médecins importé (la référence est l'arrêté de l'ARS)")
    parts.append(f"indicateurs des missions calculés par Maillage au {_day(today)}")
    # The references' own citations: « Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux) ».
    parts += [source.removeprefix("Source : ") for source in diagnostic.sources]
    return "Sources : " + " ; ".join(parts) + "."


def _density(row) -> str:
    """« , soit 3 pour 10 000 habitants (libéraux : 1,9 ; Île-de-France (région) : 5,8 en 2021 ;
    France : 7,7 en 2021) »: the territory's figures beside the references of the same scope."""
    if row.density is None:
        return ""
    compared = []
    if row.liberal_density is not None:
        compared.append(f"libéraux : {number(row.liberal_density)}")
    for area in [*row.departements, row.national]:
        if area.density is not None:
            compared.append(f"{area.label} : {number(area.density)} en {area.year}")
    beside = f" ({' ; '.join(compared)})" if compared else ""
    return f", soit {number(row.density)} pour 10 000 habitants{beside}"


def _analysis(diagnostic: Diagnostic, today: date) -> str:
    lines = [
        f"Le territoire compte {number(diagnostic.population)} habitants répartis sur "
        f"{plural(len(diagnostic.communes), 'commune')}."
    ]
    for row in diagnostic.professions[:6]:
        lines.append(f"- {row.label} : {number(row.count)}{_density(row)}.")
    for zone in diagnostic.zoning:
        lines.append(
            f"- Zonage « {zone.label} » : {plural(zone.communes, 'commune')}, {number(zone.population)} habitants "
            f"({number(zone.share)} % de la population)."
        )
    for figure in diagnostic.missions:
        lines.append(f"- {figure.label} en {diagnostic.year} : {number(figure.value)} {figure.unit}.")
    lines.append(_sources(diagnostic, today))
    return "\n".join(lines)


def _calendar(mission: str, signed_on: date | None) -> str:
    months = MISSION_DEADLINES[ACI_MISSION[mission]]
    if months is None:
        return "Mission optionnelle de l'ACI : pas d'échéance réglementaire ; calendrier fixé par la CPTS."
    start, deployment = months
    text = f"Démarrage au plus tard {start} mois après la signature de l'ACI, déploiement complet à {deployment} mois."
    if signed_on:
        text += (
            f" ACI signé le {_day(signed_on)} : démarrage avant le {_day(add_months(signed_on, start))}, "
            f"déploiement avant le {_day(add_months(signed_on, deployment))}."
        )
    return text


def _baseline(value) -> Decimal | None:
    """The current value as a stored baseline: a breakdown counts as its total; two decimals."""
    if value is None:
        return None
    total = registry.total(value) if isinstance(value, dict) else value
    return Decimal(str(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _needs(mission: str, diagnostic: Diagnostic) -> str:
    figures = {figure.code: figure for figure in diagnostic.missions}
    lines = []
    gp = next((row for row in diagnostic.professions if row.key == "10-MG"), None)
    if mission in (Mission.DOCTOR_ACCESS, Mission.UNSCHEDULED) and gp is not None:
        density = f" ({number(gp.density)} pour 10 000 habitants)" if gp.density is not None else ""
        doctors = plural(gp.count, "médecin généraliste", "médecins généralistes")
        lines.append(f"- {doctors} sur le territoire{density}.")
    prefix = f"{mission}."
    for code, figure in figures.items():
        if code.startswith(prefix):
            lines.append(f"- {figure.label} en {diagnostic.year} : {number(figure.value)} {figure.unit}.")
    if mission == Mission.DOCTOR_ACCESS:
        shortage = [z for z in diagnostic.zoning if z.zone in (Zone.ZIP, Zone.ZAC)]
        for zone in shortage:
            lines.append(f"- {number(zone.share)} % de la population en zone « {zone.label} ».")
    lines.append(
        f"- Territoire de {number(diagnostic.population)} habitants, "
        f"{plural(diagnostic.professionals, 'professionnel')} de santé (diagnostic territorial)."
    )
    return "\n".join(lines)


def _partners(mission: str, team: Team) -> str:
    names = [name for _, group in team.partners for name in group]
    if mission in (Mission.PATHWAYS, Mission.CRISIS):
        names += [name for _, group in team.structures for name in group]
    return _names(names) if names else "Professionnels membres de la CPTS."


def _indicators(template: Template, values: dict) -> list[StarterIndicator]:
    found = []
    for code in template.indicators:
        indicator = registry.REGISTRY.get(code)
        if indicator is not None:
            found.append(StarterIndicator(code, indicator.label, indicator.unit, _baseline(values.get(code))))
    found += [StarterIndicator("", label, unit, None) for label, unit in template.free_indicators]
    return found


def build(cpts, diagnostic: Diagnostic, today: date) -> Starter:
    team = team_of(cpts)
    codes = [code for template in TEMPLATES.values() for code in template.indicators if code in registry.REGISTRY]
    values = registry.compute(cpts, Period.year(today.year), codes)
    signed_on = timeline.aci_signed_on(cpts)
    lead = team.coordinators[0] if team.coordinators else "Coordination de la CPTS"
    fiches = [
        StarterFiche(
            mission=mission,
            title=template.title,
            objective=template.objective,
            needs=_needs(mission, diagnostic),
            actions="\n".join(f"- {line}" for line in template.actions),
            lead=lead,
            partners=_partners(mission, team),
            means=template.means,
            calendar=_calendar(mission, signed_on),
            indicators=_indicators(template, values),
        )
        for mission, template in TEMPLATES.items()
    ]
    return Starter(
        presentation=_presentation(cpts, diagnostic, team),
        governance=_governance(team),
        diagnostic_comment=_analysis(diagnostic, today),
        fiches=fiches,
    )
