"""The welcome a newcomer receives: the CPTS's presentation, its contacts, where to find the aids and
offers, the protocols (the members' space for now) and the invitation to join the association. No
clinical content; the same text is shown to the coordination before it is sent."""

from django.urls import reverse

from maillage.core.mail import site_link


def message(cpts, newcomer) -> tuple[str, str]:
    """(subject, body) of the welcome email."""
    from maillage.support.newcomers import settings_of

    own_words = settings_of(cpts).welcome_text
    greeting = f"Bonjour {newcomer.first_name} {newcomer.last_name},".replace("  ", " ")
    lines = [
        greeting,
        "",
        f"Bienvenue sur le territoire de la {cpts.name} ! La CPTS (communauté professionnelle territoriale de santé) "
        "réunit les professionnels de santé du territoire pour mieux soigner ensemble : accès à un médecin traitant, "
        "soins non programmés, parcours, prévention, accompagnement des professionnels.",
    ]
    if cpts.description:
        lines += ["", cpts.description.strip()]
    if own_words:
        lines += ["", own_words]
    contacts = []
    if cpts.contact_email:
        contacts.append(f"  - courriel : {cpts.contact_email}")
    if cpts.phone:
        contacts.append(f"  - téléphone : {cpts.phone}")
    if contacts:
        lines += ["", "Pour joindre la coordination de la CPTS :", *contacts]
    lines += [
        "",
        "Pour vous installer : le zonage, les aides et les annonces (cabinets, remplacements, stages) :",
        f"  {site_link(reverse('www:support_public', args=[cpts.slug]))}",
        "La CPTS, ses missions et ses contacts :",
        f"  {site_link(reverse('www:cpts_public', args=[cpts.slug]))}",
        "Les protocoles et documents de la CPTS sont dans l'espace des adhérents :",
        f"  {site_link(reverse('www:member_space', args=[cpts.slug]))}",
        "",
        "Rejoignez l'association de la CPTS : l'adhésion se demande en ligne, en quelques minutes.",
        f"  {site_link(reverse('www:association_join', args=[cpts.slug]))}",
        "",
        f"La coordination de la {cpts.name}",
    ]
    return f"Bienvenue sur le territoire de la {cpts.name}", "\n".join(lines)
