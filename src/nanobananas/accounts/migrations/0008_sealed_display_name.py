"""A profile's display name is sealed with the account's data key; existing names are sealed in place."""

from typing import Any

from django.db import migrations

import nanobananas.vault.fields
from nanobananas.vault.sealing import PREFIX, seal


def seal_names(apps: Any, schema_editor: Any) -> None:
    profile = apps.get_model("accounts", "Profile")
    rows = profile.objects.exclude(sealed_display_name="").exclude(sealed_display_name__startswith=PREFIX)
    for pk, user_id, name in rows.values_list("pk", "user_id", "sealed_display_name").iterator():
        token = seal(name, owner_key=f"u{user_id}", context="profile.display_name")
        profile.objects.filter(pk=pk).update(sealed_display_name=token)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_session_key_digests")]

    operations = [
        migrations.RenameField(model_name="profile", old_name="display_name", new_name="sealed_display_name"),
        migrations.AlterField(
            model_name="profile",
            name="sealed_display_name",
            field=nanobananas.vault.fields.SealedTextField(
                bind_pk=False, context="profile.display_name", plain="display_name"
            ),
        ),
        migrations.RunPython(seal_names, migrations.RunPython.noop),
    ]
