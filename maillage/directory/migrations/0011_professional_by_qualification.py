from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the FHIR directory searches at national scale (bench/fhir_directory.py)."""

    dependencies = [
        ("directory", "0010_directory_updated_at_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="professional",
            index=models.Index(
                fields=["profession_code", "savoir_faire_code"], include=["id"], name="professional_by_qualification"
            ),
        ),
        migrations.RemoveIndex(model_name="professional", name="professional_by_name"),
        migrations.AddIndex(
            model_name="professional",
            index=models.Index(
                fields=["search_name", "active", "profession_code", "search_given"], name="professional_by_name"
            ),
        ),
    ]
