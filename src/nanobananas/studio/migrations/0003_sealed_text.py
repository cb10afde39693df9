"""Conversation text is stored sealed: rename the columns (old plain rows still read as they are)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0002_job_options")]

    operations = [
        migrations.RenameField(model_name="message", old_name="text", new_name="sealed_text"),
        migrations.RenameField(model_name="conversation", old_name="title", new_name="sealed_title"),
        migrations.AlterField(model_name="conversation", name="sealed_title", field=models.TextField(blank=True)),
    ]
