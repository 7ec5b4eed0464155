"""« Communiquer avec les adhérents » (issue 16, item 5): the coordination writes an announcement or
a newsletter, checks its audience, sends it (confirmation first) and follows each delivery; the
members read them in their space and choose whether they receive newsletters; anyone holding a
newsletter's unsubscribe link leaves it without logging in.

Writes go through maillage/association/actions/comms.py; its French refusals are shown as they are."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from maillage.association import access
from maillage.association import mailing as mailings
from maillage.association.actions import AssociationError
from maillage.association.actions import comms as actions
from maillage.association.models import Audience, College, Delivery, Mailing, Member, NewsletterOptOut
from maillage.directory.search import profession_choices
from maillage.territory.models import Commune
from maillage.www.scoping import READ, WRITE, Area, cpts_for

DELIVERIES_PER_PAGE = 100


class MailingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type de message",
        choices=Mailing.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Une annonce (convocation, information statutaire) atteint tous ses destinataires ; "
        "une lettre d'information porte un lien de désabonnement.",
    )
    subject = forms.CharField(label="Objet", max_length=actions.SUBJECT_MAX)
    body = forms.CharField(
        label="Texte",
        max_length=actions.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Texte brut, envoyé tel quel avec un lien vers Maillage. Jamais de données de patient.",
    )
    audience = forms.ChoiceField(label="Envoyer à", choices=Audience.choices, initial=Audience.ALL)
    college = forms.ModelChoiceField(label="Collège", queryset=College.objects.none(), required=False, empty_label="—")
    profession = forms.ChoiceField(label="Profession", required=False)
    commune = forms.ModelChoiceField(label="Commune", queryset=Commune.objects.none(), required=False, empty_label="—")

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.filter(cpts=cpts).order_by("order", "name")
        self.fields["commune"].queryset = cpts.communes().order_by("name")
        codes = set(Member.objects.of_cpts(cpts).exclude(profession_code="").values_list("profession_code", flat=True))
        labels = dict(profession_choices())
        named = sorted(((code, labels.get(code, code)) for code in codes), key=lambda item: item[1].lower())
        self.fields["profession"].choices = [("", "—"), *named]

    def draft(self) -> actions.MailingDraft:
        data = self.cleaned_data
        return actions.MailingDraft(
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            audience=data["audience"],
            college=data.get("college"),
            profession_code=data.get("profession") or "",
            commune=data.get("commune"),
        )


def mailing_list(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    sent = Mailing.objects.filter(cpts=cpts).select_related("college", "commune")
    return render(request, "association/comms/mailings.html", {"cpts": cpts, "mailings": sent[:200]})


def mailing_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = MailingForm(request.POST or None, cpts=cpts)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            mailing = actions.write_mailing(cpts, form.draft(), request.user)
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(request, "Message enregistré : vérifiez-le et ses destinataires avant de l'envoyer.")
            return redirect("www:association_mailing", slug=cpts.slug, pk=mailing.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "association/comms/mailing_form.html", {"cpts": cpts, "form": form, "error": error}, status=status
    )


def mailing_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    mailing = get_object_or_404(Mailing.objects.filter(cpts=cpts).select_related("college", "commune", "cpts"), pk=pk)
    context = {"cpts": cpts, "mailing": mailing, "audience": actions.audience_label(mailing)}
    if mailing.is_sent:
        status = request.GET.get("etat", "")
        deliveries = mailing.deliveries.select_related("member")
        if status in Delivery.Status.values:
            deliveries = deliveries.filter(status=status)
        else:
            status = ""
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
        counts = mailings.status_counts(mailing)
        context.update(
            page=page,
            status=status,
            counts=[(value, label, counts[value]) for value, label in Delivery.Status.choices],
        )
    else:
        context["recipients"] = len(mailings.recipients_of(mailing))
        context["preview"] = {"subject": mailings.subject_line(mailing), "text": mailings.text_for(mailing, None)}
    return render(request, "association/comms/mailing.html", context)


@require_POST
def mailing_send(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    mailing = get_object_or_404(Mailing.objects.filter(cpts=cpts), pk=pk)
    try:
        count = actions.send_mailing(mailing, request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, actions.sent_message(count, mailing))
    return redirect("www:association_mailing", slug=cpts.slug, pk=mailing.pk)


# The members' space


def _space_member(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_SPACE, action)
    member = access.member_of(request.user, cpts)
    if member is None:
        raise Http404("Cette page est celle des adhérents de la CPTS.")
    return cpts, member


def mailings_for(member: Member):
    """The sent mailings whose audience includes the member as they are now."""
    audience = Q(audience=Audience.ALL) | Q(audience=Audience.COLLEGE, college_id=member.college_id)
    if member.profession_code:
        audience |= Q(audience=Audience.PROFESSION, profession_code=member.profession_code)
    communes = [c for c in (member.commune_id, getattr(member, "represented_commune_id", None)) if c]
    if communes:
        audience |= Q(audience=Audience.COMMUNE, commune_id__in=communes)
    return Mailing.objects.filter(cpts_id=member.cpts_id, sent_at__isnull=False).filter(audience).order_by("-sent_at")


def space_announcements(request, slug):
    cpts, member = _space_member(request, slug)
    context = {
        "cpts": cpts,
        "member": member,
        "mailings": mailings_for(member)[:100],
        "subscribed": not NewsletterOptOut.objects.filter(member=member).exists(),
    }
    return render(request, "association/comms/space_announcements.html", context)


def space_announcement(request, slug, pk):
    cpts, member = _space_member(request, slug)
    mailing = get_object_or_404(mailings_for(member), pk=pk)
    return render(request, "association/comms/space_announcement.html", {"cpts": cpts, "mailing": mailing})


@require_POST
def space_newsletter(request, slug):
    cpts, member = _space_member(request, slug, WRITE)
    if request.POST.get("abonne") == "1":
        actions.resubscribe(member, request.user)
        messages.success(request, "Vous recevrez de nouveau la lettre d'information de la CPTS.")
    else:
        actions.unsubscribe(member, request.user, via="espace adhérent")
        messages.success(
            request,
            "Vous ne recevrez plus la lettre d'information. Les annonces statutaires vous parviennent toujours.",
        )
    return redirect("www:member_space_announcements", slug=cpts.slug)


# The unsubscribe link (no login: the signed token is the credential)


@login_not_required
# RFC 8058: the mailbox provider's one-click unsubscribe posts here with no session and no CSRF
# token. The credential is the signed per-member token in the path, and the only thing a POST can
# do is the idempotent opt-out of that member, so there is nothing for a forged request to steal.
@csrf_exempt
def unsubscribe(request, token):
    member_id = mailings.member_id_from_token(token)
    member = Member.objects.select_related("cpts").filter(pk=member_id).first() if member_id else None
    if member is None:
        raise Http404("Ce lien de désabonnement n'est pas valable.")
    done = False
    if request.method == "POST":
        actions.unsubscribe(member, None, via="lien")
        done = True
    elif request.method != "GET":
        return render(request, "association/comms/unsubscribe.html", {"cpts": member.cpts, "done": False}, status=405)
    return render(request, "association/comms/unsubscribe.html", {"cpts": member.cpts, "done": done})
