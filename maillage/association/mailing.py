"""Mailings to members: who receives one (computed at sending time), the text each recipient gets,
and the background task that delivers it and records how it went.

Emails cross ordinary SMTP: a mailing is the coordination's own plain text about the association
(never a patient's data), with a link to Maillage. A newsletter carries a signed unsubscribe link
(no login needed); an announcement (a convocation, a statutory notice) reaches every member of its
audience, unsubscribed or not."""

from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from maillage.association.models import Audience, Delivery, Mailing, Member, NewsletterOptOut
from maillage.core import jobs, mail
from maillage.core.french import plural
from maillage.core.mail import site_link

UNSUBSCRIBE_SALT = "association.newsletter.unsubscribe"
ERROR_MAX = 500
BATCH = 50  # recipients per task: one claim and one SMTP connection for 50 copies


def audience_members(cpts, audience: str, *, college=None, profession_code: str = "", commune=None):
    """The voting members (current and grace) of `cpts` in the audience, as a queryset."""
    members = Member.objects.of_cpts(cpts).voting()
    if audience == Audience.COLLEGE:
        members = members.filter(college=college)
    elif audience == Audience.PROFESSION:
        members = members.filter(kind=Member.Kind.PERSON, profession_code=profession_code)
    elif audience == Audience.COMMUNE:
        members = members.filter(Q(commune=commune) | Q(represented_commune=commune))
    return members


def recipients(cpts, audience: str, *, newsletter: bool, **criteria) -> list[tuple[int, str]]:
    """(member id, address) of each member of the audience with an address: their own, or for a
    legal person its representative's. A newsletter skips those who unsubscribed. An address shared
    by several members receives one copy."""
    members = audience_members(cpts, audience, **criteria)
    if newsletter:
        members = members.filter(newsletter_opt_out__isnull=True)
    seen, found = set(), []
    rows = members.order_by("pk").values_list("pk", "kind", "email", "representative_email")
    for pk, kind, email, representative_email in rows.iterator(chunk_size=2000):
        address = (email or (representative_email if kind == Member.Kind.LEGAL else "") or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append((pk, address))
    return found


def recipients_of(mailing: Mailing) -> list[tuple[int, str]]:
    return recipients(
        mailing.cpts,
        mailing.audience,
        newsletter=mailing.is_newsletter,
        college=mailing.college,
        profession_code=mailing.profession_code,
        commune=mailing.commune,
    )


def unsubscribe_token(member_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(member_id))


def member_id_from_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() and len(value) < 19 else None


def unsubscribe_link(member_id: int) -> str:
    return site_link(reverse("www:association_unsubscribe", args=[unsubscribe_token(member_id)]))


def subject_line(mailing: Mailing) -> str:
    return f"[{mailing.cpts.name}] {mailing.subject}"


PREVIEW_LINK = "[le lien de désabonnement personnel de chaque adhérent]"


def text_for(mailing: Mailing, member_id: int | None) -> str:
    """The plain text a recipient gets: the coordination's text, then who sends it and why, the
    link to the members' space, and for a newsletter the way out (`member_id` None: the preview
    shown before sending)."""
    cpts = mailing.cpts
    space = site_link(reverse("www:member_space_announcements", args=[cpts.slug]))
    footer = [
        "—",
        f"{cpts.name}, par Maillage. Votre espace adhérent : {space}",
    ]
    if mailing.is_newsletter:
        footer.append(
            "Vous recevez cette lettre d'information en tant qu'adhérent de la CPTS. "
            f"Pour ne plus la recevoir : {PREVIEW_LINK if member_id is None else unsubscribe_link(member_id)}"
        )
    else:
        footer.append("Ce message vous est adressé en tant qu'adhérent de la CPTS.")
    return mailing.body.rstrip() + "\n\n" + "\n".join(footer) + "\n"


def message_for(delivery: Delivery) -> EmailMessage:
    mailing = delivery.mailing
    headers = {}
    if mailing.is_newsletter:
        # RFC 8058: the mailbox provider's « se désabonner » button posts to the same link.
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_link(delivery.member_id)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMessage(
        subject_line(mailing), text_for(mailing, delivery.member_id), None, [delivery.email], headers=headers
    )


class DeliveryFailed(Exception):
    """Some copies of a batch were not accepted by the mail server (each error is on its row)."""


@task()
def deliver(delivery_ids: list[int], attempt: int = 1) -> None:
    """The worker's side: send each recipient's copy of a batch over one connection and record each
    outcome on its delivery row. The copies that failed (their error recorded) are retried together
    with the jobs' backoff; the others are not sent again."""
    deliveries = list(
        Delivery.objects.select_related("mailing__cpts")
        .filter(pk__in=delivery_ids, status__in=(Delivery.Status.QUEUED, Delivery.Status.FAILED))
        .order_by("pk")
    )
    if not deliveries:
        return
    newsletter = deliveries[0].mailing.is_newsletter
    opted_out = set()
    if newsletter:
        opted_out = set(
            NewsletterOptOut.objects.filter(member_id__in=[d.member_id for d in deliveries]).values_list(
                "member_id", flat=True
            )
        )
    to_send = [d for d in deliveries if d.member_id not in opted_out]
    errors = mail.send_each([message_for(d) for d in to_send])
    failed = {d.pk: _error(errors[n]) for n, d in enumerate(to_send) if n in errors}
    sent = [d.pk for n, d in enumerate(to_send) if n not in errors]
    now = timezone.now()
    _record(deliveries, sent, failed, opted_out, attempt, now)
    if failed:
        with jobs.retrying(deliver, attempt, delivery_ids=sorted(failed)):
            raise DeliveryFailed(f"{plural(len(failed), 'envoi en échec', 'envois en échec')} sur {len(deliveries)}")


def _error(exc) -> str:
    return f"{type(exc).__name__} : {exc}"[:ERROR_MAX]


def _record(deliveries, sent, failed, opted_out, attempt, now) -> None:
    rows = Delivery.objects
    if sent:
        rows.filter(pk__in=sent).update(status=Delivery.Status.SENT, error="", attempts=attempt, updated_at=now)
    skipped = [d.pk for d in deliveries if d.member_id in opted_out]
    if skipped:
        rows.filter(pk__in=skipped).update(status=Delivery.Status.UNSUBSCRIBED, updated_at=now)
    for pk, error in failed.items():
        rows.filter(pk=pk).update(status=Delivery.Status.FAILED, error=error, attempts=attempt, updated_at=now)


def enqueue(delivery_ids: list[int]) -> None:
    """One task per batch of BATCH recipients, inserted together (core.jobs.enqueue_many), in the
    caller's transaction."""
    batches = [delivery_ids[i : i + BATCH] for i in range(0, len(delivery_ids), BATCH)]
    jobs.enqueue_many(deliver, [{"delivery_ids": batch} for batch in batches])


def status_counts(mailing: Mailing) -> dict[str, int]:
    from django.db.models import Count

    counts = dict.fromkeys(Delivery.Status.values, 0)
    for status, n in mailing.deliveries.values_list("status").annotate(n=Count("pk")).order_by():
        counts[status] = n
    return counts
