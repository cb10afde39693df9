"""A data export counts its build attempts (the retry cap)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0004_receipt_account_moderation"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataexport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
