import factory
from factory.django import DjangoModelFactory

from maillage.accounts.models import Role, RoleKind, User
from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region

PASSWORD = "Un-mot-de-passe-de-test-42"


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
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

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
