"""The directory's « adhérent » marks typed before the association existed become members (of the
liberal professionals' collège, validated today, nothing due until a fee is set), so that the mark,
now derived from the membership, keeps saying the same thing."""

from django.db import migrations
from django.utils import timezone

DEFAULT_COLLEGES = (
    ("liberaux", "Professionnels de santé libéraux", 40),
    ("sanitaire", "Établissements et services sanitaires", 20),
    ("medico_social", "Médico-social et social", 15),
    ("collectivites", "Collectivités", 15),
    ("usagers", "Usagers", 10),
)  # as maillage/association/statutes.py at the time of writing


def forwards(apps, schema_editor):
    DirectoryEntry = apps.get_model("directory", "DirectoryEntry")
    Statutes = apps.get_model("association", "Statutes")
    College = apps.get_model("association", "College")
    Member = apps.get_model("association", "Member")
    MemberTransition = apps.get_model("association", "MemberTransition")
    today = timezone.localdate()
    marked = DirectoryEntry.objects.filter(is_member=True).select_related("professional")
    for entry in marked.iterator():
        if Member.objects.filter(cpts_id=entry.cpts_id, professional_id=entry.professional_id).exists():
            continue
        Statutes.objects.get_or_create(cpts_id=entry.cpts_id)
        for order, (code, name, weight) in enumerate(DEFAULT_COLLEGES):
            College.objects.get_or_create(
                cpts_id=entry.cpts_id, code=code, defaults={"name": name, "order": order, "vote_weight": weight}
            )
        professional = entry.professional
        member = Member.objects.create(
            cpts_id=entry.cpts_id,
            college=College.objects.get(cpts_id=entry.cpts_id, code="liberaux"),
            kind="person",
            professional=professional,
            last_name=professional.last_name or professional.identifier,
            first_name=professional.first_name,
            profession_code=professional.profession_code,
            status="current",
            validated_on=today,
        )
        MemberTransition.objects.create(
            member=member, source="", target="current", author_label="reprise des adhérents de l'annuaire",
            at=timezone.now(),
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("association", "0001_initial"),
        ("directory", "0009_french_names"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
