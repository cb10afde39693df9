from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0003_sealed_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="sent",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
