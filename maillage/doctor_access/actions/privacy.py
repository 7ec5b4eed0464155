"""Reads of a patient's request (each one audited), the export on request, the anonymisation."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.doctor_access.models import AccessSettings, DoctorRequest
from maillage.doctor_access.states import Status

IDENTITY_FIELDS = {
    "last_name": "",
    "first_name": "",
    "birth_date": None,
    "phone": "",
    "email": "",
    "address": "",
    "nir": "",
    "notes": "",
    "referrer_label": "",
}


def record_read(request: DoctorRequest, actor, *, what: str = "fiche") -> None:
    audit.record_health_read(
        "doctor_access.request.viewed", actor=actor, cpts=request.cpts, obj=request, details={"vue": what}
    )


def record_list_read(cpts, actor, *, shown: list[int]) -> None:
    """A list shows names: one entry for the page, with the requests it showed."""
    audit.record_health_read(
        "doctor_access.list.viewed", actor=actor, cpts=cpts, obj=None, details={"demandes": shown[:200]}
    )


def export(request: DoctorRequest, actor) -> dict:
    """Everything the CPTS holds on this patient (right of access), as JSON-ready data."""
    data = {
        "référence": request.reference,
        "cpts": request.cpts.name,
        "canal": request.get_channel_display(),
        "orienté_par": request.referrer_label,
        "nom": request.last_name,
        "prénom": request.first_name,
        "date_de_naissance": request.birth_date.isoformat() if request.birth_date else None,
        "téléphone": request.phone,
        "adresse_électronique": request.email,
        "adresse": request.address,
        "commune": {"code": request.commune_id, "nom": request.commune.name},
        "nir": request.nir,
        "situation": {
            field.verbose_name: getattr(request, field.name)
            for field in DoctorRequest._meta.fields
            if field.name
            in (
                "ald",
                "c2s_ame",
                "precarity",
                "isolation",
                "pregnancy",
                "chronic_disease",
                "disability",
                "hospital_discharge",
            )
        },
        "consentement": {
            "version": request.consent_version,
            "donné_le": _local(request.consented_at),
        },
        "priorité": request.priority,
        "notes": request.notes,
        "état": request.get_status_display(),
        "reçue_le": timezone.localtime(request.received_at).isoformat(),
        "historique": [
            {
                "le": timezone.localtime(t.at).isoformat(),
                "de": t.get_source_display(),
                "vers": t.get_target_display(),
                "par": t.author_label,
                "motif": t.note,
            }
            for t in request.transitions.all()
        ],
        "propositions": [
            {
                "médecin": p.offer.professional.full_name,
                "le": _local(p.created_at),
                "état": p.get_status_display(),
            }
            for p in request.proposals.select_related("offer__professional")
        ],
    }
    audit.record_health_read(
        "doctor_access.request.exported", actor=actor, cpts=request.cpts, obj=request, details={"format": "json"}
    )
    return data


def anonymise_due(*, now=None, dry_run: bool = False) -> list[int]:
    """Closed (and declared) requests older than their CPTS's delay lose their identity; what the
    indicators count (commune, situation, dates, states) stays. Returns the ids anonymised."""
    now = now or timezone.now()
    done = []
    for settings in AccessSettings.objects.select_related("cpts"):
        limit = now - timedelta(days=30 * settings.purge_months)
        due = DoctorRequest.objects.filter(
            cpts=settings.cpts,
            status__in=[Status.CLOSED, Status.DECLARED],
            status_changed_at__lt=limit,
            anonymised_at__isnull=True,
        ).values_list("pk", flat=True)
        ids = list(due)
        if not ids or dry_run:
            done.extend(ids)
            continue
        with transaction.atomic():
            DoctorRequest.objects.filter(pk__in=ids).update(anonymised_at=now, **IDENTITY_FIELDS)
            audit.record(
                "doctor_access.requests.anonymised",
                cpts=settings.cpts,
                details={"demandes": len(ids), "délai_mois": settings.purge_months},
            )
        done.extend(ids)
    return done


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat()
