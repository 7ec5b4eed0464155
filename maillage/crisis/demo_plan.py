"""Issue 17 — the crisis plan's demo: every demo CPTS has a written plan (risks, cell, volunteers
from its directory, partners, an exercise), adopted on the lifecycle's « Démarrage : crises
sanitaires » date when the demo has one; « ouest-herault » (around Béziers, the seeds' Covid story)
also has a past crisis declared by the ARS, closed, with its retour d'expérience. The response part
(maillage/crisis/demo_response.py) finds that crisis with `past_crisis(cpts)`. Phones are in the
ranges ARCEP keeps for fiction; written through the actions, as the system."""

from datetime import date, timedelta

from django.utils import timezone

from maillage.crisis import activation, plan, retex
from maillage.crisis.models import Crisis, CrisisPlan
from maillage.directory.models import Listing, Partner

PAST_CRISIS_CPTS = "ouest-herault"
PHONES = {
    "chatillon-malakoff-vanves": "01 99 00",
    "paris-13": "01 99 00",
    "bergerac": "05 36 49",
    "ouest-herault": "04 65 71",
    "grand-issy-vanves": "01 99 00",
    "montrouge-bagneux": "01 99 00",
}
RISKS = {
    "epidemic": "Vaccination et dépistage par les volontaires ; suivi à domicile des patients fragiles.",
    "heatwave": "Appel des personnes âgées isolées repérées par les infirmiers et les CCAS ; rappel des consignes.",
    "flood": "Patients dépendants d'un appareil électrique signalés à la mairie si la préfecture le demande.",
    "cyber": "Procédure papier des cabinets et de l'officine ; numéros de la cellule hors messagerie.",
    "shortage": "Inventaire des stocks d'équipements de protection et répartition par la coordination.",
}


def past_crisis(cpts) -> Crisis | None:
    """The demo's past crisis of `cpts` (the latest closed one), for the response part's centre,
    stock ledger and case map."""
    return Crisis.objects.filter(cpts=cpts, status=Crisis.Status.CLOSED).order_by("-starts_on", "-id").first()


def _adoption_day(cpts) -> date:
    from maillage.lifecycle.demo import PLAN

    dated = {kind: day for kind, day, _amount in PLAN.get(cpts.slug, (None, []))[1]}
    return dated.get("start_crisis") or timezone.localdate() - timedelta(days=120)


def build(cpts, coordinator, *, log=print) -> None:
    if CrisisPlan.objects.filter(cpts=cpts, written_on__isnull=False).exists():
        return
    phone = PHONES.get(cpts.slug, "01 99 00")
    lead = coordinator.get_full_name() if coordinator is not None else "Coordination de la CPTS"
    plan.save_plan(
        cpts,
        plan.PlanDraft(
            organisation="La coordination déclenche le plan sur alerte de l'ARS, de la préfecture ou d'un membre de la "
            "cellule.\nLa cellule se réunit sous deux heures (visioconférence), puis chaque jour de la crise.\n"
            "- Information des adhérents par courriel et SMS\n- Point quotidien avec l'hôpital et l'ARS",
            risks=RISKS,
        ),
        None,
    )
    for name, function, suffix in (
        (lead, "Coordination de la cellule", "20 01"),
        ("Dr Hélène Garnier", "Médecin référente crise", "20 02"),
        ("Julien Morel", "Infirmier référent, suivi à domicile", "20 03"),
        ("Sabine Lopez", "Pharmacienne, stocks et équipements", "20 04"),
    ):
        plan.add_part(
            cpts,
            "cellule",
            {
                "name": name,
                "function": function,
                "phone_day": f"{phone} {suffix}",
                "phone_night": f"{phone} {suffix[:2]} 9{suffix[-1]}",
                "email": f"crise.{cpts.slug}@demo.maillage.fr",
            },
            None,
        )
    tasks = [
        {"vaccinate": True, "test": True},
        {"home_follow_up": True},
        {"staff_centre": True, "test": True},
        {"vaccinate": True, "staff_centre": True},
        {"home_follow_up": True, "test": True},
    ]
    listed = Listing.objects.filter(cpts=cpts).select_related("professional").order_by("search_name")[:5]
    for listing, chosen in zip(listed, tasks, strict=False):
        plan.add_part(cpts, "volontaire", {"rpps": listing.professional.identifier, **chosen}, None)
    town_hall = Partner.objects.filter(cpts=cpts, kind=Partner.Kind.MUNICIPALITY).first()
    for kind, name, contact, partner in (
        ("hospital", "Centre hospitalier de référence", "Cadre de santé de garde", None),
        ("commune", town_hall.name if town_hall else "Mairie", "Service santé", town_hall),
        ("prefecture", "Préfecture — service interministériel de défense et de protection civiles", "", None),
        ("ars", "ARS — délégation départementale", "Point focal régional", None),
    ):
        plan.add_part(cpts, "partenaire", {"kind": kind, "name": name, "contact": contact, "partner": partner}, None)
    adopted = _adoption_day(cpts)
    plan.add_part(
        cpts,
        "exercice",
        {
            "held_on": min(adopted + timedelta(days=60), timezone.localdate()),
            "scenario": "Canicule de 5 jours, appel des patients isolés",
            "lessons": "Les numéros de nuit de la cellule étaient à mettre à jour.",
        },
        None,
    )
    plan.adopt(cpts, adopted, None)
    if cpts.slug == PAST_CRISIS_CPTS:
        _past_crisis(cpts)
    log(f"  {cpts.name} : plan de réponse aux crises sanitaires adopté le {adopted:%d/%m/%Y}")


def _past_crisis(cpts) -> None:
    """The seeds' Covid story: declared by the ARS in March 2020, closed in June 2021, and its RETEX."""
    declared = activation.Declaration(
        kind="epidemic", title="Épidémie de Covid-19", starts_on=date(2020, 3, 16), alert=False
    )
    (crisis,) = activation.declare([cpts], declared, None, by_ars=True, today=date(2020, 3, 16))
    activation.close(crisis, date(2021, 6, 30), None, today=date(2021, 7, 1))
    crisis.refresh_from_db()
    retex.save_retex(
        crisis,
        held_on=date(2021, 9, 14),
        actor=None,
        today=date(2021, 9, 14),
        worked="Centres de dépistage improvisés avec un parcours précis pour les patients ; dépistage quotidien en "
        "drive ; suivi des patients à domicile ; carte des clusters construite avec l'hôpital de Béziers.",
        did_not_work="Inventaire des équipements de protection tenu à la main ; une période épuisante pour les "
        "professionnels sans activité rémunératrice ; les numéros de nuit de la cellule manquaient.",
    )
    for action, owner, due, done in (
        (
            "Tenir le registre des stocks d'équipements dans Maillage",
            "Pharmacienne référente",
            date(2021, 12, 1),
            date(2021, 11, 20),
        ),
        ("Mettre à jour chaque année les numéros de nuit de la cellule", "Coordination", date(2022, 1, 31), None),
    ):
        row = retex.add_action(crisis, action=action, owner=owner, due_on=due, actor=None)
        if done:
            retex.mark_done(crisis, row.pk, None, done_on=done)
