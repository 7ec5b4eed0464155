"""A request enters the list: public form, regulator's call, or a member's referral."""

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.text import normalize
from maillage.doctor_access import notify
from maillage.doctor_access.consent import CONSENT_VERSION
from maillage.doctor_access.models import AccessSettings, DoctorRequest, RequestTransition
from maillage.doctor_access.models.requests import Channel
from maillage.doctor_access.priority import score
from maillage.doctor_access.states import Status

INTAKE_FIELDS = [
    "last_name", "first_name", "birth_date", "phone", "email", "address", "nir", "commune",
    "ald", "c2s_ame", "precarity", "isolation", "pregnancy", "chronic_disease", "disability", "hospital_discharge",
]  # fmt: skip


def find_duplicate(cpts, last_name, first_name, birth_date, commune, *, exclude=None):
    """The earliest request of the CPTS with the same name (accents and case aside), birth date and
    commune: flagged for a human to look at, never merged."""
    wanted = (normalize(last_name), normalize(first_name))
    candidates = DoctorRequest.objects.filter(
        cpts=cpts, birth_date=birth_date, commune=commune, anonymised_at__isnull=True
    ).order_by("received_at", "id")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    for candidate in candidates:
        if (normalize(candidate.last_name), normalize(candidate.first_name)) == wanted:
            return candidate
    return None


def submit_request(cpts, data: dict, *, channel: str, actor=None, referrer_label: str = "") -> DoctorRequest:
    """Records a request in state « reçue »; `data` holds INTAKE_FIELDS (validated by the form) and
    `consent` (true: the form refuses without it)."""
    now = timezone.now()
    with transaction.atomic():
        settings = AccessSettings.of(cpts)
        request = DoctorRequest(
            cpts=cpts,
            channel=channel,
            consent_version=CONSENT_VERSION,
            consented_at=now,
            received_at=now,
            status_changed_at=now,
            created_by=audit.user_or_none(actor),
            referred_by=actor if channel == Channel.REFERRAL else None,
            referrer_label=referrer_label[:200],
            **{
                name: data.get(name) or ("" if name not in ("birth_date", "commune") else None)
                for name in INTAKE_FIELDS
            },
        )
        for flag in INTAKE_FIELDS[8:]:
            setattr(request, flag, bool(data.get(flag)))
        request.priority = score(request, settings.weights(), timezone.localdate())
        request.possible_duplicate_of = find_duplicate(
            cpts, request.last_name, request.first_name, request.birth_date, request.commune
        )
        request.save()
        RequestTransition.objects.create(
            request=request, source="", target=Status.RECEIVED, author=request.created_by,
            author_label=_author_label(actor, channel), note=request.get_channel_display(),
        )  # fmt: skip
        audit.record(
            "doctor_access.request.created",
            actor=actor,
            cpts=cpts,
            obj=request,
            details={"canal": channel, "doublon_probable": request.possible_duplicate_of_id},
            health_data=True,
        )
        notify.request_received(request)
    return request


def _author_label(actor, channel) -> str:
    if audit.user_or_none(actor) is None and channel == Channel.PUBLIC_FORM:
        return "le patient"  # the transition's note names the channel
    return audit.actor_label(actor)
