"""The demo directory: fictional professionals and structures for each demo CPTS, written in the
national formats (synthetic.py) and loaded through the real importers, then a little CPTS
enrichment (members, skills, new patients) and the partners that are in neither file.

Idempotent: the files are generated from fixed seeds, so a second run imports no change and finds
the enrichment and partners already there.
"""

import hashlib
import random
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.utils.text import slugify

from maillage.core import audit
from maillage.core.french import elide, plural
from maillage.directory.models import DirectoryEntry, ImportRun, Partner, Professional, ProfessionalAccount, Skill
from maillage.directory.synthetic import PROFESSIONS, FictionalStructure, Place, Profession, finess_lines, rpps_lines
from maillage.territory.models import Cpts

# A CPTS's first-line professions, in proportions close to a French territory.
DEMO_PROFESSIONS: tuple[Profession, ...] = tuple(
    Profession(p.code, p.label, weight, p.rpps, p.liberal_share, p.savoir_faire)
    for p in PROFESSIONS
    for code, weight in (
        ("10", 0.24),
        ("60", 0.30),
        ("21", 0.10),
        ("70", 0.13),
        ("50", 0.04),
        ("91", 0.05),
        ("40", 0.07),
        ("80", 0.03),
        ("93", 0.04),
    )
    if p.code == code
)
PROFESSIONALS_PER_INHABITANT = 1 / 350  # about 300 for a CPTS of 100,000 inhabitants
LANGUAGES = ["anglais", "espagnol", "arabe", "portugais", "italien", "allemand", "wolof"]


def _places(cpts: Cpts) -> list[Place]:
    return [
        Place(c.code, c.name, (c.postal_codes or [c.code])[0], c.departement_id, c.population)
        for c in cpts.communes().order_by("-population")
    ]


def _lambert93(latitude: float, longitude: float) -> tuple[float, float]:
    from pyproj import Transformer

    return Transformer.from_crs(4326, 2154, always_xy=True).transform(longitude, latitude)


def _structures(cpts: Cpts, places: list[Place], rng: random.Random) -> list[FictionalStructure]:
    main = places[0]
    communes = {c.code: c for c in cpts.communes()}
    population = sum(c.population for c in communes.values())

    def at(place: Place, kind: str, name: str) -> FictionalStructure:
        commune = communes[place.code]
        lat = (commune.latitude or 46.6) + rng.uniform(-0.004, 0.004)
        lon = (commune.longitude or 2.4) + rng.uniform(-0.004, 0.004)
        return FictionalStructure(kind, name, place, *_lambert93(lat, lon))

    plan = [
        at(main, "hospital", f"Centre hospitalier {elide('de', str(main.name))}"),
        at(rng.choice(places), "ssr", f"Clinique de soins de suite {rng.choice(places).name}"),
        at(
            rng.choice(places),
            "msp",
            f"Maison de santé pluriprofessionnelle {elide('de', str(rng.choice(places).name))}",
        ),
        at(main, "health_centre", f"Centre municipal de santé {elide('de', str(main.name))}"),
    ]
    plan += [
        at(p, "ehpad", f"EHPAD Les Tilleuls {elide('de', str(p.name))}")
        for p in rng.sample(places, min(2, len(places)))
    ]
    for i in range(max(3, population // 5000)):
        place = places[i % len(places)]
        plan.append(
            at(
                place,
                "pharmacy",
                f"Pharmacie {rng.choice(['du Centre', 'de la Gare', 'du Marché', 'des Écoles'])} {place.name}",
            )
        )
    return plan


def write_files(folder: Path, demo_cpts: list[Cpts]) -> tuple[Path, Path]:
    rpps, finess = folder / "demo_rpps.txt", folder / "demo_finess.txt"
    with open(rpps, "w", encoding="utf-8") as r, open(finess, "w", encoding="utf-8") as f:
        structures = []
        for index, cpts in enumerate(demo_cpts):
            places = _places(cpts)
            population = sum(c.population for c in cpts.communes())
            count = max(40, int(population * PROFESSIONALS_PER_INHABITANT))
            lines = rpps_lines(
                count,
                places,
                seed=index + 1,
                first_serial=(index + 1) * 100_000,
                professions=DEMO_PROFESSIONS,
                header=index == 0,
            )
            r.writelines(line + "\n" for line in lines)
            structures += _structures(cpts, places, random.Random(index))
        f.writelines(line + "\n" for line in finess_lines(structures))
    return rpps, finess


def _enrich(cpts: Cpts, rng: random.Random) -> int:
    """Members, skills and capacity for part of the professionals working on the territory."""
    if DirectoryEntry.objects.filter(cpts=cpts).exists():
        return 0
    skills = list(Skill.objects.all())
    professionals = (
        Professional.objects.filter(active=True, activities__commune__cpts_links__cpts=cpts)
        .distinct()
        .order_by("national_id")
    )
    created = 0
    for professional in professionals:
        if rng.random() > 0.6:
            continue
        gp = professional.profession_code == "10" and professional.savoir_faire_code == "SM54"
        entry = DirectoryEntry.objects.create(
            cpts=cpts,
            professional=professional,
            is_member=True,
            languages=rng.sample(LANGUAGES, rng.choice([0, 0, 1, 2])),
            accepts_new_patients=gp and rng.random() < 0.35,
            new_patient_capacity=rng.choice([5, 10, 20, 30]) if gp else None,
            takes_part_in_snp=professional.profession_code in ("10", "60") and rng.random() < 0.5,
            mssante_address=f"{slugify(professional.first_name)}.{slugify(professional.last_name)}@medecin.mssante.fr"
            if professional.profession_code == "10"
            else "",
            public_listing=rng.random() < 0.7,
        )
        if not entry.accepts_new_patients:
            entry.new_patient_capacity = None
            entry.save(update_fields=["new_patient_capacity"])
        entry.skills.set(rng.sample(skills, rng.choice([0, 1, 1, 2])) if skills else [])
        created += 1
    return created


def _partners(cpts: Cpts) -> int:
    if Partner.objects.filter(cpts=cpts).exists():
        return 0
    communes = list(cpts.communes().order_by("-population"))
    main = communes[0]
    rows = [
        Partner(cpts=cpts, kind=Partner.Kind.MUNICIPALITY, name=f"Mairie {elide('de', str(c.name))}", commune=c)
        for c in communes
    ]
    rows += [
        Partner(cpts=cpts, kind=Partner.Kind.CCAS, name=f"CCAS {elide('de', str(main.name))}", commune=main),
        Partner(
            cpts=cpts,
            kind=Partner.Kind.DAC,
            name=f"DAC {main.departement.name}",
            commune=main,
            notes="Appui à la coordination des parcours complexes.",
        ),
        Partner(
            cpts=cpts,
            kind=Partner.Kind.PATIENT_ASSOCIATION,
            name=f"Association des usagers {elide('de', str(main.name))}",
        ),
    ]
    Partner.objects.bulk_create(rows)
    return len(rows)


def load(demo_cpts: list[Cpts], *, log=print) -> None:
    with tempfile.TemporaryDirectory(prefix="maillage-demo-") as folder:
        rpps, finess = write_files(Path(folder), demo_cpts)
        for command, path in (("import_finess", finess), ("import_rpps", rpps)):
            if _already_applied(path):
                log(f"  {command} — fichier de démonstration déjà importé.")
                continue
            out = StringIO()
            call_command(command, str(path), apply=True, report=str(Path(folder) / f"{command}.csv"), stdout=out)
            for line in _counts(out.getvalue()):
                log(f"  {command} — {line}")
    with transaction.atomic():
        entries = sum(_enrich(cpts, random.Random(cpts.slug)) for cpts in demo_cpts)
        partners = sum(_partners(cpts) for cpts in demo_cpts)
        _link_demo_doctor(demo_cpts)
        if entries or partners:
            audit.record("directory.demo.loaded", details={"fiches": entries, "partenaires": partners})
    log(
        f"  annuaire : {plural(entries, 'fiche')} de membres, "
        f"{plural(partners, 'partenaire ajouté', 'partenaires ajoutés')}"
    )


DEMO_DOCTOR = "medecin.cmv@demo.maillage.fr"


def _link_demo_doctor(demo_cpts: list[Cpts]) -> None:
    """The demo doctor's account is a GP of the first demo CPTS: they can edit their own entry."""
    from maillage.accounts.actions import take_professional_identity
    from maillage.accounts.models import User

    user = User.objects.filter(email=DEMO_DOCTOR).first()
    cmv = next((c for c in demo_cpts if c.slug == "chatillon-malakoff-vanves"), None)
    if user is None or cmv is None:
        return
    link = ProfessionalAccount.objects.filter(user=user).select_related("professional").first()
    if link is None:
        gp = (
            Professional.objects.filter(
                active=True, savoir_faire_code="SM54", activities__commune__cpts_links__cpts=cmv
            )
            .order_by("national_id")
            .first()
        )
        if gp is None:
            return
        link = ProfessionalAccount.objects.create(user=user, professional=gp)
    # One person: the account takes the name of the RPPS entry it is linked to (also on a demo
    # loaded before this rule, whose account still had its own invented name).
    take_professional_identity(user, link.professional)


def _already_applied(path: Path) -> bool:
    """The generated files are the same from run to run: importing one again would only add a
    run and its audit entry, so the demo skips a file whose fingerprint was already applied."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ImportRun.objects.filter(file_sha256=digest, applied=True, status=ImportRun.Status.COMPLETED).exists()


def _counts(output: str) -> list[str]:
    """The importer's count lines ("Professionnels : 12 nouveaux, …"), not its samples."""
    return [line.strip() for line in output.splitlines() if " : " in line and "inchang" in line]
