"""Members: recorded by the coordination, or asking to join from the CPTS's public page (then
validated or refused by the coordination), edited with a version check, struck off."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.association import statutes as statutes_of
from maillage.association.actions import AssociationError, require
from maillage.association.models import College, Member
from maillage.association.status import compute, log_creation, refresh
from maillage.core import audit, mail, versioning

PERSON_FIELDS = ("last_name", "first_name", "professional", "profession_code")
LEGAL_FIELDS = ("name", "legal_kind", "structure", "siren", "represented_commune", "representative_name",
                "representative_email")  # fmt: skip
COMMON_FIELDS = ("college", "kind", "email", "phone", "commune")
FIELDS = COMMON_FIELDS + PERSON_FIELDS + LEGAL_FIELDS


def _clean(cpts, data: dict) -> dict:
    """The member's fields, checked against the kind: refusals in French, nothing saved."""
    college = data.get("college")
    require(
        isinstance(college, College) and college.cpts_id == cpts.pk,
        "Choisissez le collège de l'adhérent : chaque adhérent appartient à un collège des statuts.",
    )
    kind = data.get("kind") or Member.Kind.PERSON
    require(kind in Member.Kind.values, "Indiquez s'il s'agit d'une personne physique ou d'une personne morale.")
    cleaned = {field: data.get(field) for field in FIELDS}
    for field, value in cleaned.items():
        if isinstance(value, str):
            cleaned[field] = value.strip()
        elif value is None and field not in ("professional", "structure", "represented_commune", "commune", "college"):
            cleaned[field] = ""
    cleaned["kind"] = kind
    if kind == Member.Kind.PERSON:
        professional = cleaned["professional"]
        if professional is not None:
            cleaned["last_name"] = cleaned["last_name"] or professional.last_name
            cleaned["first_name"] = cleaned["first_name"] or professional.first_name
            cleaned["profession_code"] = professional.profession_code
        require(cleaned["last_name"], "Indiquez le nom de l'adhérent.")
        for field in LEGAL_FIELDS:
            cleaned[field] = None if field in ("structure", "represented_commune") else ""
    else:
        structure = cleaned["structure"]
        if structure is not None:
            cleaned["name"] = cleaned["name"] or structure.long_name or structure.short_name
            cleaned["commune"] = cleaned["commune"] or structure.commune
        require(cleaned["name"], "Indiquez la dénomination de la personne morale.")
        require(cleaned["legal_kind"] in Member.LegalKind.values, "Indiquez le type de personne morale.")
        require(
            cleaned["representative_name"],
            "Une personne morale adhère par la personne qui la représente : indiquez son représentant.",
        )
        for field in PERSON_FIELDS:
            cleaned[field] = None if field == "professional" else ""
    require(cleaned["email"] or cleaned["representative_email"] or cleaned["phone"],
            "Indiquez au moins un moyen de joindre l'adhérent : un courriel ou un téléphone.")  # fmt: skip
    return cleaned


def _save(member: Member) -> None:
    try:
        with transaction.atomic():
            member.full_clean(exclude=["cpts", "college", "user", "status"], validate_constraints=False)
            member.save()
    except IntegrityError:
        raise AssociationError(
            "Ce professionnel ou cet établissement est déjà adhérent de l'association : ouvrez sa fiche."
        ) from None
    except Exception as error:
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise AssociationError(" ".join(message for messages in error.message_dict.values()
                                            for message in messages)) from None  # fmt: skip
        raise


def create_member(cpts, data: dict, *, actor, validated: bool = True) -> Member:
    """A member recorded by the coordination: validated at once (its status then follows the fees)."""
    statutes_of.of(cpts)
    cleaned = _clean(cpts, data)
    with transaction.atomic():
        member = Member(cpts=cpts, **cleaned)
        if validated:
            member.validated_on = timezone.localdate()
        member.status = compute(member)
        _save(member)
        log_creation(member, actor, note="adhésion enregistrée par la coordination")
        audit.record("association.member_created", actor=actor, cpts=cpts, obj=member,
                     details={"college": member.college.code, "kind": member.kind})  # fmt: skip
    return member


def update_member(member: Member, data: dict, *, actor, version) -> Member:
    """The member's identity and collège, with a version check (a stale form is refused)."""
    cleaned = _clean(member.cpts, data)
    with transaction.atomic():
        versioning.check_and_bump(member, version)
        member.refresh_from_db()
        changed = {field: value for field, value in cleaned.items() if getattr(member, field) != value}
        for field, value in cleaned.items():
            setattr(member, field, value)
        _save(member)
        refresh(member, actor, note="collège changé" if "college" in changed else "")
        audit.record("association.member_updated", actor=actor, cpts=member.cpts, obj=member,
                     details={"fields": sorted(changed)})  # fmt: skip
    return member


def apply(cpts, data: dict, note: str = "") -> Member:
    """A request to join from the CPTS's public page: pending until the coordination validates it.
    The coordinators are told by email (no more than that someone asked, and a link)."""
    statutes_of.of(cpts)
    cleaned = _clean(cpts, data)
    with transaction.atomic():
        member = Member(cpts=cpts, applied_online=True, application_note=note.strip()[:2000], **cleaned)
        _save(member)
        log_creation(member, None, note="demande d'adhésion en ligne")
        audit.record("association.member_applied", cpts=cpts, obj=member, details={"college": member.college.code})
        link = mail.site_link(reverse("www:association_member", args=[cpts.slug, member.pk]))
        for email in Role.objects.filter(cpts=cpts, kind=RoleKind.COORDINATOR).values_list("user__email", flat=True):
            mail.send_after_commit(
                email,
                f"Nouvelle demande d'adhésion — {cpts.name}",
                f"Une demande d'adhésion à l'association de la {cpts.name} attend votre validation.\n\n{link}\n",
            )
    return member


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("cpts", "college").get(pk=member.pk)


def validate(member: Member, *, actor) -> Member:
    with transaction.atomic():
        member = _locked(member)
        require(member.validated_on is None and member.cancelled_on is None,
                "Cette adhésion n'attend pas de validation.")  # fmt: skip
        member.validated_on = timezone.localdate()
        member.save(update_fields=["validated_on"])
        refresh(member, actor, note="demande d'adhésion validée")
        audit.record("association.member_validated", actor=actor, cpts=member.cpts, obj=member)
        if member.contact_email:
            mail.send_after_commit(
                member.contact_email,
                f"Votre adhésion à la {member.cpts.name}",
                f"Votre demande d'adhésion à l'association de la {member.cpts.name} a été acceptée.\n\n"
                f"{mail.site_link(reverse('www:cpts_public', args=[member.cpts.slug]))}\n",
            )
    return member


def cancel(member: Member, *, actor, reason: str) -> Member:
    """Strikes the member off (or refuses an application): kept in the history, no longer voting."""
    reason = (reason or "").strip()
    require(reason, "Indiquez le motif de la radiation (démission, refus de la demande, décès…).")
    require(len(reason) <= 255, "Le motif est trop long (255 caractères au plus).")
    with transaction.atomic():
        member = _locked(member)
        require(member.cancelled_on is None, "Cet adhérent est déjà radié.")
        member.cancelled_on = timezone.localdate()
        member.cancel_reason = reason
        member.save(update_fields=["cancelled_on", "cancel_reason"])
        refresh(member, actor, note=reason)
        audit.record("association.member_cancelled", actor=actor, cpts=member.cpts, obj=member,
                     details={"reason": reason})  # fmt: skip
    return member


def link_account(member: Member, user, *, actor) -> Member:
    """The account that acts for the member (votes online, reads the members' space)."""
    with transaction.atomic():
        member = _locked(member)
        require(
            user is None or Role.objects.filter(user=user, cpts=member.cpts).exists(),
            "Ce compte n'a aucun rôle dans la CPTS : invitez d'abord la personne comme adhérent.",
        )
        member.user = user
        member.save(update_fields=["user"])
        audit.record("association.member_account", actor=actor, cpts=member.cpts, obj=member,
                     details={"user": user.email if user else ""})  # fmt: skip
    return member
