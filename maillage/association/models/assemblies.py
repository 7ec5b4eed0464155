"""General assemblies and board meetings (issue 16 item 3).

An `Assembly` (ordinary or extraordinary general assembly, or a board meeting) moves
draft → convened → held, or « carence » when the quorum is not reached, → closed; a draft or a
convened assembly may be cancelled (`ASSEMBLY_TRANSITIONS`, logged in `AssemblyTransition`).

The convocation fixes the electorate: one `Attendance` row per member convened (every voting
member for a general assembly, the board for a board meeting), absent until recorded present,
represented (a proxy to another member convened) or « a voté à distance » (the online vote). The
statutes' figures in force at the convocation (quorum, majority, maximum of proxies, weighting
and the collèges' shares) are copied on the assembly: changing the statutes later does not change
the count of an assembly already convened.

Votes: `Participation` says who voted on a resolution (one row per member and resolution, a
unique constraint: voting twice is refused even by two requests at once); `Ballot` says what was
voted. An open ballot names its member; a secret ballot does not (no member, no date, a random
key: nothing links it back to the participation row written in the same transaction). The
collège stays on the ballot: a weighted count needs it.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.core.models import TransitionLog


class AssemblyKind(models.TextChoices):
    ORDINARY = "ordinary", "assemblée générale ordinaire"
    EXTRAORDINARY = "extraordinary", "assemblée générale extraordinaire"
    BOARD = "board", "conseil d'administration"


class AssemblyStatus(models.TextChoices):
    DRAFT = "draft", "en préparation"
    CONVENED = "convened", "convoquée"
    HELD = "held", "tenue"
    LACKING = "lacking", "carence (quorum non atteint)"
    CLOSED = "closed", "close"
    CANCELLED = "cancelled", "annulée"


ASSEMBLY_TRANSITIONS: dict[str, frozenset[str]] = {
    AssemblyStatus.DRAFT: frozenset({AssemblyStatus.CONVENED, AssemblyStatus.CANCELLED}),
    AssemblyStatus.CONVENED: frozenset({AssemblyStatus.HELD, AssemblyStatus.LACKING, AssemblyStatus.CANCELLED}),
    AssemblyStatus.HELD: frozenset({AssemblyStatus.CLOSED}),
    AssemblyStatus.LACKING: frozenset({AssemblyStatus.CLOSED}),
    AssemblyStatus.CLOSED: frozenset(),
    AssemblyStatus.CANCELLED: frozenset(),
}


def assembly_allowed(source: str, target: str) -> bool:
    return target in ASSEMBLY_TRANSITIONS.get(source, frozenset())


class Assembly(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="assemblies")
    kind = models.CharField("type", max_length=20, choices=AssemblyKind.choices, default=AssemblyKind.ORDINARY)
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=200)
    # The online vote, for the members who cannot attend (both or neither).
    vote_opens_at = models.DateTimeField("ouverture du vote en ligne", null=True, blank=True)
    vote_closes_at = models.DateTimeField("clôture du vote en ligne", null=True, blank=True)
    status = models.CharField("état", max_length=20, choices=AssemblyStatus.choices, default=AssemblyStatus.DRAFT)
    status_changed_at = models.DateTimeField("état changé le", auto_now_add=True)
    # The statutes in force at the convocation.
    convened_at = models.DateTimeField("convoquée le", null=True, blank=True)
    quorum_percent = models.PositiveSmallIntegerField("quorum (%)", null=True, blank=True)
    majority_percent = models.PositiveSmallIntegerField(
        "majorité requise (% des suffrages exprimés)", null=True, blank=True
    )
    max_proxies = models.PositiveSmallIntegerField("pouvoirs au plus par adhérent", null=True, blank=True)
    weighted = models.BooleanField("voix pondérées par collège", default=False)
    weights = models.JSONField("part des voix de chaque collège", default=dict, blank=True)
    # The count at the session, kept for the minutes.
    quorum_reached = models.BooleanField("quorum atteint", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    version = versioning.version_field()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "assemblée"
        verbose_name_plural = "assemblées"
        indexes = [models.Index(fields=["cpts", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="assembly_vote_window",
                condition=Q(vote_opens_at__isnull=True, vote_closes_at__isnull=True)
                | Q(
                    vote_opens_at__isnull=False,
                    vote_closes_at__isnull=False,
                    vote_opens_at__lt=models.F("vote_closes_at"),
                ),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.reference})"

    @property
    def reference(self) -> str:
        return f"AG-{self.pk:06d}" if self.kind != AssemblyKind.BOARD else f"CA-{self.pk:06d}"

    @property
    def is_board(self) -> bool:
        return self.kind == AssemblyKind.BOARD

    @property
    def has_online_vote(self) -> bool:
        return self.vote_opens_at is not None


class AgendaItem(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("point", max_length=200)
    description = models.TextField("précisions", max_length=2000, blank=True)

    class Meta:
        ordering = ["assembly", "order", "id"]
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"

    def __str__(self):
        return self.title


def _document_path(document, filename):
    # A random name on disk, as for the lifecycle documents: the file's own name stays in the row.
    return f"association/{document.assembly_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class AssemblyDocument(models.Model):
    """A document attached to an assembly (report, accounts, draft statutes), checked by its content
    (lifecycle/documents.py), served only to the coordination and the members convened."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField("fichier", upload_to=_document_path, max_length=200)
    file_name = models.CharField("nom du fichier", max_length=200)
    file_size = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("ajouté le", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assembly", "file_name", "id"]
        verbose_name = "document d'une assemblée"
        verbose_name_plural = "documents des assemblées"

    def __str__(self):
        return self.file_name


class Presence(models.TextChoices):
    ABSENT = "absent", "absent"
    PRESENT = "present", "présent"
    REPRESENTED = "represented", "représenté"
    REMOTE = "remote", "a voté à distance"


# Counted for the quorum: present, represented, or having voted online.
COUNTED = (Presence.PRESENT, Presence.REPRESENTED, Presence.REMOTE)


class Attendance(models.Model):
    """A member convened to an assembly, and how they took part. `proxy` is the member convened
    who holds their proxy (when represented)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("association.Member", on_delete=models.PROTECT, related_name="attendances")
    # The collège at the convocation (the weighted count reads it).
    college = models.ForeignKey("association.College", on_delete=models.PROTECT, related_name="+")
    presence = models.CharField("présence", max_length=12, choices=Presence.choices, default=Presence.ABSENT)
    proxy = models.ForeignKey(
        "association.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxies_held",
        verbose_name="pouvoir donné à",
    )
    email_sent = models.BooleanField("convocation envoyée par courriel", default=False)

    class Meta:
        ordering = ["assembly", "id"]
        verbose_name = "adhérent convoqué"
        verbose_name_plural = "adhérents convoqués"
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="one_attendance_per_member"),
            models.CheckConstraint(
                name="proxy_only_when_represented",
                condition=Q(presence="represented", proxy__isnull=False)
                | (~Q(presence="represented") & Q(proxy__isnull=True)),
            ),
            models.CheckConstraint(name="no_proxy_to_oneself", condition=~Q(proxy=models.F("member"))),
        ]
        indexes = [models.Index(fields=["assembly", "proxy"])]

    def __str__(self):
        return f"{self.member} — {self.get_presence_display()}"


class Resolution(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="resolutions")
    order = models.PositiveSmallIntegerField("numéro", default=0)
    title = models.CharField("intitulé", max_length=200)
    text = models.TextField("texte soumis au vote", max_length=4000, blank=True)
    secret = models.BooleanField("vote à bulletin secret", default=False)

    class Meta:
        ordering = ["assembly", "order", "id"]
        verbose_name = "résolution"
        verbose_name_plural = "résolutions"

    def __str__(self):
        return f"Résolution {self.order} : {self.title}"


class Choice(models.TextChoices):
    FOR = "for", "pour"
    AGAINST = "against", "contre"
    ABSTAIN = "abstain", "abstention"


class Channel(models.TextChoices):
    ONLINE = "online", "en ligne"
    ROOM = "room", "en séance"


class Participation(models.Model):
    """Who voted on a resolution (their own vote, or cast by the holder of their proxy): the
    record that refuses a second vote. Says nothing of the choice for a secret ballot."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey("association.Member", on_delete=models.PROTECT, related_name="+")
    # The member convened who cast it for them (the holder of their proxy), or None: themselves.
    proxy = models.ForeignKey("association.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("vote", max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        ordering = ["resolution", "id"]
        verbose_name = "participation à un vote"
        verbose_name_plural = "participations aux votes"
        constraints = [models.UniqueConstraint(fields=["resolution", "member"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.member} — {self.resolution}"


class Ballot(models.Model):
    """What was voted. `member` only for an open ballot; a secret one has neither member nor date,
    and a random key (no order to match against the participations)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="ballots")
    college = models.ForeignKey("association.College", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("vote", max_length=10, choices=Choice.choices)
    member = models.ForeignKey("association.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "bulletin"
        verbose_name_plural = "bulletins"
        indexes = [models.Index(fields=["resolution", "college", "choice"])]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "member"], condition=Q(member__isnull=False), name="one_open_ballot_per_member"
            ),
        ]

    def __str__(self):
        return self.get_choice_display()


class AssemblyTransition(TransitionLog):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=AssemblyStatus.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=AssemblyStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une assemblée"
        verbose_name_plural = "changements d'état des assemblées"
