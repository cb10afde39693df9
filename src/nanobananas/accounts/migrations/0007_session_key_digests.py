"""Sessions are stored under a keyed hash of their key (`sessions.session_key_digest`), no longer the key itself.

The rows written before this migration hold the raw keys that browsers send as cookies: they are deleted here, so
everyone is signed out once, and a guest's browser loses the way back to its guest work (which the guest retention
deletes within a day anyway). Hashing the old keys instead would have kept them valid from the old file's copies.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forget_raw_keys(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("accounts", "UserSession").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_address_limits"),
    ]

    operations = [
        migrations.RunPython(forget_raw_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="usersession",
            name="session_key",
            field=models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="session key digest"),
        ),
    ]
