from datetime import date

import factory
from django.contrib.auth.hashers import get_hasher, make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.accounts.models import Role, RoleKind, User
from maillage.core.identifiers import luhn_ok
from maillage.directory.models import Activity, Professional, Structure
from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region

PASSWORD = "Un-mot-de-passe-de-test-42"

_HASHES: dict[tuple[str, str], str] = {}


def set_password(user, raw: str) -> None:
    """`user.set_password(raw)` with the configured hasher (Argon2 and its production parameters),
    but hashed once per password and hasher for the whole run rather than once per user: an
    Argon2 hash costs ~0.3 s of both cores, and fixtures create thousands of users (the permission
    matrix alone, eight per row). Each user still holds a real hash that logins check in full;
    only the salt is shared between test users."""
    key = (raw, get_hasher().algorithm)
    if key not in _HASHES:
        _HASHES[key] = make_password(raw)
    user.password = _HASHES[key]
    user._password = raw  # as set_password does: save() then tells the password validators


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "11"
    name = "Île-de-France"


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "92"
    name = "Hauts-de-Seine"
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"92{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.SelfAttribute("departement.region")
    population = 10_000
    postal_codes = factory.LazyAttribute(lambda o: [f"{o.code[:2]}000"])
    latitude = 48.8
    longitude = 2.3
    shape = ""


class CptsFactory(DjangoModelFactory):
    class Meta:
        model = Cpts
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CPTS numéro {n}")
    slug = factory.Sequence(lambda n: f"cpts-{n}")
    status = Cpts.Status.ACTIVE
    # Issue 18 — a CPTS without FINESS exposes no slot to the SAS: tests that mean one say finess="".
    finess = factory.Sequence(lambda n: with_check_digit(f"92{900_000 + n % 100_000:06d}"))

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        for commune in extracted or []:
            CptsCommune.objects.create(cpts=self, commune=commune)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        set_password(self, PASSWORD if extracted is None else extracted)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = RoleKind.MEMBER
    cpts = factory.SubFactory(CptsFactory)
    region = None

    class Params:
        coordinator = factory.Trait(kind=RoleKind.COORDINATOR)
        regulator = factory.Trait(kind=RoleKind.REGULATOR)
        regional = factory.Trait(kind=RoleKind.REGIONAL_VIEWER, cpts=None, region=factory.SubFactory(RegionFactory))
        admin = factory.Trait(kind=RoleKind.ADMIN, cpts=None, region=None)


def with_check_digit(body: str) -> str:
    """`body` + the digit that makes the whole number Luhn-valid (RPPS, FINESS, SIRET)."""
    return next(body + digit for digit in "0123456789" if luhn_ok(body + digit))


class ProfessionalFactory(DjangoModelFactory):
    class Meta:
        model = Professional

    source_hash = factory.Sequence(lambda n: f"{n:032x}")
    id_type = Professional.IdType.RPPS
    identifier = factory.Sequence(lambda n: with_check_digit(f"19{n:08d}"))
    national_id = factory.LazyAttribute(lambda o: f"{o.id_type}{o.identifier}")
    civility_code = "MME"
    civility_label = "Madame"
    exercise_civility_code = "DR"
    exercise_civility_label = "Docteur"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    first_name = "Camille"
    profession_code = "10"
    profession_label = "Médecin"
    category_code = "C"
    category_label = "Civil"
    savoir_faire_type_code = "S"
    savoir_faire_type_label = "Spécialité ordinale"
    savoir_faire_code = "SM54"
    savoir_faire_label = "Médecine générale"

    class Params:
        adeli = factory.Trait(
            id_type=Professional.IdType.ADELI,
            identifier=factory.Sequence(lambda n: f"92{n:07d}"),
            exercise_civility_code="",
            exercise_civility_label="",
            profession_code="60",
            profession_label="Infirmier",
            savoir_faire_type_code="",
            savoir_faire_type_label="",
            savoir_faire_code="",
            savoir_faire_label="",
        )


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure

    source_hash = factory.Sequence(lambda n: f"{n:032x}")
    # From 92500000: tests give hand-picked numbers below (e.g. 920000650) that the sequence must never reach.
    finess_et = factory.Sequence(lambda n: with_check_digit(f"92{500_000 + n:06d}"))
    finess_ej = factory.Sequence(lambda n: with_check_digit(f"75{n:06d}"))
    short_name = factory.Sequence(lambda n: f"CENTRE DE SANTE {n}")
    street_number = "12"
    street_type = "R"
    street_label = "DES LILAS"
    commune_code = "92046"
    departement_code = "92"
    postal_line = "92240 MALAKOFF"
    phone = "0140000000"
    category_code = "124"
    category_label = "Centre de Santé"
    siret = factory.Sequence(lambda n: with_check_digit(f"1234{n:09d}"))


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    source_hash = factory.Sequence(lambda n: f"{n:032x}")
    # The shape the RPPS import gives: national id, structure, mode, sector, section, role, genre.
    key = factory.Sequence(lambda n: f"8{n:011d}|R{n:09d}|L|SA08|||")
    professional = factory.SubFactory(ProfessionalFactory)
    mode_code = "L"
    mode_label = "Libéral"
    company_name = "CABINET MEDICAL"
    street_number = "3"
    street_type_code = "AV"
    street_type_label = "Avenue"
    street_label = "PIERRE LAROUSSE"
    postal_code = "92240"
    commune_code = "92046"
    commune_label = "Malakoff"
    phone = "0146000000"
    email = factory.Sequence(lambda n: f"cabinet{n}@exemple.fr")
    genre_code = "GENR01"
    genre_label = "Activité standard"


class DoctorRequestFactory(DjangoModelFactory):
    """A request for a médecin traitant, received through the public form by default."""

    class Meta:
        model = "doctor_access.DoctorRequest"

    cpts = factory.SubFactory(CptsFactory)
    channel = "public_form"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    first_name = "Louise"
    birth_date = factory.LazyFunction(lambda: date(1950, 3, 14))
    phone = "0601020304"
    commune = factory.SubFactory(CommuneFactory)
    consent_version = "2026-11-v1"
    consented_at = factory.LazyFunction(timezone.now)
    status = "qualified"


class DoctorOfferFactory(DjangoModelFactory):
    """A GP's offer; the GP's account is linked to their RPPS record."""

    class Meta:
        model = "doctor_access.DoctorOffer"

    cpts = factory.SubFactory(CptsFactory)
    professional = factory.SubFactory(ProfessionalFactory)
    user = factory.SubFactory(UserFactory)
    commune = factory.SubFactory(CommuneFactory)
    capacity = 5


class PathwayTemplateFactory(DjangoModelFactory):
    """A CPTS's own template, published, with one nurse step at J+1 unless steps are given."""

    class Meta:
        model = "pathways.PathwayTemplate"
        skip_postgeneration_save = True

    cpts = factory.SubFactory(CptsFactory)
    code = factory.Sequence(lambda n: f"modele-{n}")
    name = factory.Sequence(lambda n: f"Modèle de parcours {n}")
    status = "published"

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if not create:
            return
        for position, step in enumerate(extracted if extracted is not None else [{}], start=1):
            TemplateStepFactory(template=self, position=position, **step)


class TemplateStepFactory(DjangoModelFactory):
    class Meta:
        model = "pathways.TemplateStep"

    template = factory.SubFactory(PathwayTemplateFactory, steps=[])
    title = factory.Sequence(lambda n: f"Étape {n}")
    profession_code = "60"
    anchor = "enrolment"
    offset_days = 1
