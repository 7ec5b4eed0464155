"""A CPTS's statutes as the software reads them, and the default collèges of a new association."""

from django.db import IntegrityError, transaction

from maillage.association.models import College, Statutes

# The collèges most CPTS statutes define (the defaults), with an equal share of the votes.
DEFAULT_COLLEGES = (
    ("liberaux", "Professionnels de santé libéraux", 40),
    ("sanitaire", "Établissements et services sanitaires", 20),
    ("medico_social", "Médico-social et social", 15),
    ("collectivites", "Collectivités", 15),
    ("usagers", "Usagers", 10),
)


def of(cpts) -> Statutes:
    """The CPTS's statutes, made with the defaults (and the default collèges) the first time."""
    found = Statutes.objects.filter(cpts=cpts).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            statutes = Statutes.objects.create(cpts=cpts)
            if not College.objects.filter(cpts=cpts).exists():
                College.objects.bulk_create(
                    College(cpts=cpts, code=code, name=name, order=n, vote_weight=weight)
                    for n, (code, name, weight) in enumerate(DEFAULT_COLLEGES)
                )
            return statutes
    except IntegrityError:  # made by a concurrent request meanwhile
        return Statutes.objects.get(cpts=cpts)


def colleges(cpts):
    of(cpts)
    return College.objects.filter(cpts=cpts)
