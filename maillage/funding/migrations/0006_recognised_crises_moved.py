"""Issue 17 — the recognised crises live in the crisis app (crisis 0003 copied them there): one
source of truth, funding reads them (maillage/crisis/queries.py `recognised_in`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_start_payment_line"), ("crisis", "0003_recognised_crises")]

    operations = [migrations.DeleteModel(name="RecognisedCrisis")]
