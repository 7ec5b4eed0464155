from django.db import migrations

SKILLS = [
    ("plaies-complexes", "Plaies complexes"),
    ("soins-palliatifs", "Soins palliatifs"),
    ("etp-diabete", "Éducation thérapeutique (diabète)"),
    ("pediatrie", "Pédiatrie"),
    ("geriatrie", "Gériatrie"),
    ("sante-mentale", "Santé mentale"),
    ("addictologie", "Addictologie"),
    ("perinatalite", "Périnatalité"),
]


def seed(apps, schema_editor):
    Skill = apps.get_model("directory", "Skill")
    for code, label in SKILLS:
        Skill.objects.get_or_create(code=code, defaults={"label": label})


def unseed(apps, schema_editor):
    # Skills already attached to entries stay: only the untouched seeds go.
    Skill = apps.get_model("directory", "Skill")
    Skill.objects.filter(code__in=[code for code, _ in SKILLS], entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
