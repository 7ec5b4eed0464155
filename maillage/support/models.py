"""Issue 17 — the mission « accompagnement des professionnels »: the installation offers posted on
the CPTS's public page, the professionals newly installed on the territory and their welcome, and
the mission's setting per CPTS (the fiche-action it serves, the welcome's own words, how far the
directory has been scanned for newcomers)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.core.models import TransitionLog

# The professions an offer is about (RPPS profession codes; "10-MG": the general practitioners
# among the physicians, as the diagnostic counts them).
PROFESSIONS = [
    ("10-MG", "Médecin généraliste"),
    ("10", "Médecin spécialiste"),
    ("60", "Infirmier"),
    ("70", "Masseur-kinésithérapeute"),
    ("40", "Chirurgien-dentiste"),
    ("50", "Sage-femme"),
    ("21", "Pharmacien"),
    ("91", "Orthophoniste"),
    ("92", "Orthoptiste"),
    ("80", "Pédicure-podologue"),
    ("all", "Toutes professions"),
]


class OfferKind(models.TextChoices):
    CABINET = "cabinet", "cabinet à louer ou à partager"
    REPLACEMENT = "replacement", "remplacement"
    COLLABORATION = "collaboration", "collaboration ou association"
    INTERNSHIP = "internship", "stage chez un maître de stage"


class OfferStatus(models.TextChoices):
    SUBMITTED = "submitted", "à valider"
    PUBLISHED = "published", "publiée"
    FILLED = "filled", "pourvue"
    WITHDRAWN = "withdrawn", "retirée"
    REFUSED = "refused", "refusée"


OFFER_MOVES = {
    OfferStatus.SUBMITTED: {OfferStatus.PUBLISHED, OfferStatus.REFUSED, OfferStatus.WITHDRAWN},
    OfferStatus.PUBLISHED: {OfferStatus.FILLED, OfferStatus.WITHDRAWN},
    OfferStatus.FILLED: set(),
    OfferStatus.WITHDRAWN: set(),
    OfferStatus.REFUSED: set(),
}


class OfferQuerySet(models.QuerySet):
    def listed(self, today):
        """What the public page lists: published and not expired. Expiry is read here, by query:
        no job has to run for an expired offer to leave the list."""
        return self.filter(status=OfferStatus.PUBLISHED, expires_on__gte=today)


class Offer(models.Model):
    """An installation offer: a cabinet, a replacement, a collaboration or an internship, posted by
    a member, a commune (through its representative) or the coordination, published once the
    coordination has validated it, until its expiry date or until it is filled."""

    Kind = OfferKind
    Status = OfferStatus

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="support_offers")
    kind = models.CharField("type d'annonce", max_length=15, choices=OfferKind.choices)
    status = models.CharField("état", max_length=10, choices=OfferStatus.choices, default=OfferStatus.SUBMITTED)
    title = models.CharField("intitulé", max_length=150)
    description = models.TextField("description", max_length=4000)
    profession = models.CharField("profession recherchée", max_length=5, choices=PROFESSIONS)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    starts_on = models.DateField("à partir du", null=True, blank=True)
    expires_on = models.DateField("annonce valable jusqu'au")
    positions = models.PositiveSmallIntegerField("nombre de places", default=1)
    contact_name = models.CharField("contact", max_length=150)
    contact_email = models.EmailField("courriel du contact", blank=True)
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The member of the association the offer is posted for (a commune, a professional), when known.
    on_behalf_of = models.ForeignKey(
        "association.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_offers",
        verbose_name="pour le compte de",
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    filled_at = models.DateTimeField("pourvue le", null=True, blank=True)
    version = versioning.version_field()

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["cpts", "-created_at", "-id"]
        verbose_name = "annonce d'installation"
        verbose_name_plural = "annonces d'installation"
        indexes = [models.Index(fields=["cpts", "status", "expires_on"])]
        constraints = [
            models.CheckConstraint(name="support_offer_has_contact", condition=~Q(contact_email="", contact_phone="")),
            models.CheckConstraint(name="support_offer_positions", condition=Q(positions__gte=1, positions__lte=50)),
        ]

    def __str__(self):
        return self.title

    @property
    def profession_label(self) -> str:
        return dict(PROFESSIONS).get(self.profession, self.profession)


class OfferTransition(TransitionLog):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=10, choices=OfferStatus.choices, blank=True)
    target = models.CharField("vers", max_length=10, choices=OfferStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une annonce"
        verbose_name_plural = "changements d'état des annonces"


class NewcomerStatus(models.TextChoices):
    DETECTED = "detected", "repéré"
    CONTACTED = "contacted", "contacté"
    JOINED = "joined", "a adhéré"
    DECLINED = "declined", "ne souhaite pas adhérer"
    DISMISSED = "dismissed", "écarté (pas une installation)"


NEWCOMER_MOVES = {
    NewcomerStatus.DETECTED: {
        NewcomerStatus.CONTACTED,
        NewcomerStatus.JOINED,
        NewcomerStatus.DECLINED,
        NewcomerStatus.DISMISSED,
    },
    NewcomerStatus.CONTACTED: {NewcomerStatus.JOINED, NewcomerStatus.DECLINED},
    NewcomerStatus.DECLINED: {NewcomerStatus.CONTACTED, NewcomerStatus.JOINED},
    NewcomerStatus.JOINED: set(),
    NewcomerStatus.DISMISSED: {NewcomerStatus.DETECTED},
}


class Newcomer(models.Model):
    """A professional who installs on the territory: found in the directory after an import (a new
    RPPS activity on a commune of the CPTS) or declared by the coordination; welcomed, invited to
    join the association, followed until they join or decline."""

    class Source(models.TextChoices):
        DIRECTORY = "directory", "repéré dans l'annuaire (RPPS)"
        DECLARED = "declared", "déclaré par la coordination"

    Status = NewcomerStatus

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="support_newcomers")
    professional = models.ForeignKey(
        "directory.Professional", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.ForeignKey(
        "directory.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    profession = models.CharField("profession", max_length=150, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="commune"
    )
    email = models.EmailField("courriel", blank=True)
    source = models.CharField("origine", max_length=10, choices=Source.choices)
    status = models.CharField("suivi", max_length=10, choices=NewcomerStatus.choices, default=NewcomerStatus.DETECTED)
    detected_on = models.DateField("repéré le")
    installed_on = models.DateField("installé le", null=True, blank=True)
    contacted_at = models.DateTimeField("contacté le", null=True, blank=True)
    welcome_sent_at = models.DateTimeField("dernier accueil envoyé le", null=True, blank=True)
    joined_on = models.DateField("adhésion le", null=True, blank=True)
    closed_on = models.DateField("clos le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    version = versioning.version_field()

    class Meta:
        ordering = ["cpts", "-detected_on", "-id"]
        verbose_name = "nouvel installé"
        verbose_name_plural = "nouveaux installés"
        indexes = [models.Index(fields=["cpts", "detected_on"]), models.Index(fields=["cpts", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cpts", "professional"], condition=Q(professional__isnull=False), name="support_newcomer_once"
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class NewcomerTransition(TransitionLog):
    newcomer = models.ForeignKey(Newcomer, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=10, choices=NewcomerStatus.choices, blank=True)
    target = models.CharField("vers", max_length=10, choices=NewcomerStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape du suivi d'un nouvel installé"
        verbose_name_plural = "étapes du suivi des nouveaux installés"


class SupportSettings(models.Model):
    """The mission's setting for one CPTS."""

    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="support_settings")
    fiche = models.ForeignKey(
        "projet.FicheAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="fiche-action du projet de santé",
    )
    welcome_text = models.TextField("mot d'accueil", max_length=2000, blank=True)
    # Activities created up to this moment have been looked at: the next scan reads the later ones.
    # None: never scanned (the first scan only sets it: a first national load is not newcomers).
    scanned_until = models.DateTimeField("annuaire examiné jusqu'au", null=True, blank=True)
    version = versioning.version_field()

    class Meta:
        verbose_name = "réglage de l'accompagnement des professionnels"
        verbose_name_plural = "réglages de l'accompagnement des professionnels"

    def __str__(self):
        return f"Accompagnement des professionnels — {self.cpts}"
