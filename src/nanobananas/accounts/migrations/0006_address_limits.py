"""Rate windows end: `expires_at` (the purge deletes a counter once its window ends) replaces the day-old sweep.

The counters written before this migration name client addresses in plain text; they are deleted here (they
only ever lasted a day, and every window starts again empty).
"""

import django.utils.timezone
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forget_counters(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("accounts", "RateWindow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_closedaccount"),
    ]

    operations = [
        migrations.RunPython(forget_counters, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="ratewindow", name="rate_window_start"),
        migrations.AddField(
            model_name="ratewindow",
            name="expires_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="The window's end; the hourly purge deletes the row after it.",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="ratewindow",
            index=models.Index(fields=["expires_at"], name="rate_window_expires"),
        ),
    ]
