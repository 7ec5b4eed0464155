"""The demo instance: real CPTS named in our sources, on their real communes, with fictional people.

Idempotent: a second run finds everything in place and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction

from maillage.accounts.models import Role, RoleKind, User
from maillage.core.geo import distance_km
from maillage.territory import actions
from maillage.territory.models import Commune, Cpts, Region

DEMO_PASSWORD = "Maillage-demo-2026"  # noqa: S105 (public demo accounts, printed by make run)


class DemoError(Exception):
    pass


_PASSWORD_HASHES: dict[str, str] = {}


def create_demo_user(email: str, *, first_name: str, last_name: str) -> User:
    """A demo account with DEMO_PASSWORD, hashed once per process and hasher rather than once per
    account: an Argon2 hash costs ~0.3 s, and every demo load (make run, the tests that load the
    demo) creates over a dozen accounts. Each account still holds a real Argon2 hash that a login
    checks in full; only the salt is shared, between accounts whose password is public anyway."""
    algorithm = get_hasher().algorithm
    if algorithm not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[algorithm] = make_password(DEMO_PASSWORD)
    user = User(email=email, first_name=first_name, last_name=last_name, password=_PASSWORD_HASHES[algorithm])
    user.save()
    return user


def _nearest(center_code: str, count: int, *, departement: str, west_only: bool = False) -> list[str]:
    center = Commune.objects.get(code=center_code)
    if center.latitude is None:
        raise DemoError(f"La commune {center_code} n'a pas de coordonnées : installez le référentiel complet.")
    candidates = Commune.objects.units().filter(departement_id=departement, latitude__isnull=False)
    if west_only:
        candidates = candidates.filter(longitude__lt=center.longitude)
    ranked = sorted(
        candidates.exclude(code=center_code),
        key=lambda c: distance_km(center.latitude, center.longitude, c.latitude, c.longitude),
    )
    return [c.code for c in ranked[:count]]


@dataclass(frozen=True)
class DemoCpts:
    slug: str
    name: str
    status: str
    description: str

    def communes(self) -> list[str]:
        return TERRITORIES[self.slug]()


CPTS = [
    DemoCpts(
        "chatillon-malakoff-vanves",
        "CPTS Châtillon-Malakoff-Vanves",
        Cpts.Status.ACTIVE,
        "Trois communes des Hauts-de-Seine, un projet de santé commun depuis 2019.",
    ),
    DemoCpts("paris-13", "CPTS Paris 13", Cpts.Status.ACTIVE, "Le 13e arrondissement de Paris."),
    DemoCpts(
        "bergerac", "CPTS de Bergerac", Cpts.Status.ACTIVE, "Bergerac et les communes qui l'entourent, en Dordogne."
    ),
    DemoCpts("ouest-herault", "CPTS Ouest Hérault", Cpts.Status.ACTIVE, "Les communes à l'ouest de Béziers."),
    DemoCpts(
        "grand-issy-vanves",
        "CPTS Grand Issy-Vanves",
        Cpts.Status.PROJECT,
        "Projet de CPTS en cours de constitution ; son territoire chevauche celui de Châtillon-Malakoff-Vanves.",
    ),
    DemoCpts(
        "montrouge-bagneux",
        "CPTS Montrouge-Bagneux",
        Cpts.Status.PROJECT,
        "Des professionnels de Montrouge et de Bagneux ont adressé leur lettre d'intention à l'ARS.",
    ),
]
TERRITORIES = {
    "chatillon-malakoff-vanves": lambda: ["92020", "92046", "92075"],
    "paris-13": lambda: ["75113"],
    "bergerac": lambda: ["24037", *_nearest("24037", 20, departement="24")],
    "ouest-herault": lambda: _nearest("34032", 25, departement="34", west_only=True),
    "grand-issy-vanves": lambda: ["92040", "92075"],
    "montrouge-bagneux": lambda: ["92049", "92007"],
}

# Public contacts: numbers from the ranges ARCEP keeps for fiction (01 99 00…, 04 65 71…, 05 36 49…).
CONTACTS = {
    "chatillon-malakoff-vanves": ("contact.cmv@demo.maillage.fr", "01 99 00 12 34"),
    "paris-13": ("contact.paris13@demo.maillage.fr", "01 99 00 13 13"),
    "bergerac": ("contact.bergerac@demo.maillage.fr", "05 36 49 24 10"),
    "ouest-herault": ("contact.ouest-herault@demo.maillage.fr", "04 65 71 34 50"),
    "grand-issy-vanves": ("contact.issy@demo.maillage.fr", "01 99 00 92 13"),
    "montrouge-bagneux": ("contact.montrouge@demo.maillage.fr", ""),
}

# (email, first name, last name, [(role kind, cpts slug or region code)])
PEOPLE = [
    ("admin@demo.maillage.fr", "Alex", "Admin", [(RoleKind.ADMIN, None)]),
    ("ars.idf@demo.maillage.fr", "Inès", "Garnier", [(RoleKind.REGIONAL_VIEWER, "11")]),
    ("ars.occitanie@demo.maillage.fr", "Paul", "Roux", [(RoleKind.REGIONAL_VIEWER, "76")]),
    (
        "coordination.cmv@demo.maillage.fr",
        "Claire",
        "Moreau",
        [(RoleKind.COORDINATOR, "chatillon-malakoff-vanves"), (RoleKind.MEMBER, "paris-13")],
    ),
    ("coordination.paris13@demo.maillage.fr", "Hugo", "Lefèvre", [(RoleKind.COORDINATOR, "paris-13")]),
    ("coordination.bergerac@demo.maillage.fr", "Sophie", "Delmas", [(RoleKind.COORDINATOR, "bergerac")]),
    ("coordination.ouest-herault@demo.maillage.fr", "Marc", "Vidal", [(RoleKind.COORDINATOR, "ouest-herault")]),
    ("coordination.issy@demo.maillage.fr", "Nadia", "Benali", [(RoleKind.COORDINATOR, "grand-issy-vanves")]),
    ("coordination.montrouge@demo.maillage.fr", "Karim", "Haddad", [(RoleKind.COORDINATOR, "montrouge-bagneux")]),
    ("medecin.cmv@demo.maillage.fr", "Julien", "Perrin", [(RoleKind.MEMBER, "chatillon-malakoff-vanves")]),
    ("regulation.cmv@demo.maillage.fr", "Léa", "Fontaine", [(RoleKind.REGULATOR, "chatillon-malakoff-vanves")]),
    # Issue 16 — the representative of a member commune (Malakoff): the members' space only.
    ("mairie.cmv@demo.maillage.fr", "Claire", "Moreau", [(RoleKind.ADHERENT, "chatillon-malakoff-vanves")]),
    # Issue 18 — a regulator of the SAS of Île-de-France: opens the booking URLs of the SAS answers.
    ("regulation.sas@demo.maillage.fr", "Samir", "Kaci", [(RoleKind.SAS_REGULATOR, "11")]),
]


DEMO_SAS_REGULATOR_RPPS = "10009998880"


@transaction.atomic
def load() -> list[tuple[str, str]]:
    if not Commune.objects.filter(code="92046").exists():
        raise DemoError("Le référentiel territorial n'est pas installé : lancez « manage.py install_reference ».")
    for spec in CPTS:
        cpts = Cpts.objects.filter(slug=spec.slug).first()
        if cpts is None:
            cpts = actions.create_cpts(
                name=spec.name, slug=spec.slug, status=spec.status, description=spec.description, actor=None
            )
        if not cpts.territory.exists():
            actions.set_territory(cpts, spec.communes(), actor=None)
        if spec.status == Cpts.Status.ACTIVE and not cpts.finess:
            # A fictional FINESS number (valid check digit) in the CPTS's département: the SAS
            # identifies a CPTS by it.
            from maillage.directory.synthetic import finess_number

            first = cpts.communes().order_by("code").first()
            cpts.finess = finess_number(first.departement_id, 999_000 + CPTS.index(spec))
            cpts.save(update_fields=["finess"])
        email, phone = CONTACTS.get(spec.slug, ("", ""))
        if not cpts.contact_email and not cpts.phone and (email or phone):
            actions.update_contacts(cpts, contact_email=email, phone=phone, actor=None, expected_version=None)
    accounts = []
    for email, first, last, roles in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_demo_user(email, first_name=first, last_name=last)
        if any(kind == RoleKind.ADMIN for kind, _ in roles) and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        for kind, scope in roles:
            cpts = (
                Cpts.objects.get(slug=scope)
                if kind in (RoleKind.COORDINATOR, RoleKind.MEMBER, RoleKind.REGULATOR, RoleKind.ADHERENT)
                else None
            )
            region = (
                Region.objects.get(code=scope) if kind in (RoleKind.REGIONAL_VIEWER, RoleKind.SAS_REGULATOR) else None
            )
            # The SAS regulator's RPPS (fictitious, Luhn-valid): the SAS is told who booked.
            rpps = DEMO_SAS_REGULATOR_RPPS if kind == RoleKind.SAS_REGULATOR else ""
            Role.objects.get_or_create(user=user, kind=kind, cpts=cpts, region=region, defaults={"rpps": rpps})
        accounts.append((email, " ; ".join(r.label for r in user.roles.all())))
    return accounts
