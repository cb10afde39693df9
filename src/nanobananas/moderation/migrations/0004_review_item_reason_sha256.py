"""A review item keeps the SHA-256 of a report's words once they are erased with an account."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_sealed_report_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewitem",
            name="reason_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
