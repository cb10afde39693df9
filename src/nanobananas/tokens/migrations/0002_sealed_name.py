"""An API token's name is sealed with its owner's data key; existing names are sealed in place."""

from typing import Any

from django.db import migrations

import nanobananas.vault.fields
from nanobananas.vault.sealing import PREFIX, seal


def seal_names(apps: Any, schema_editor: Any) -> None:
    token = apps.get_model("tokens", "ApiToken")
    rows = token.objects.exclude(sealed_name="").exclude(sealed_name__startswith=PREFIX)
    for pk, user_id, name in rows.values_list("pk", "user_id", "sealed_name").iterator():
        sealed = seal(name, owner_key=f"u{user_id}", context=f"api-token:{pk}")
        token.objects.filter(pk=pk).update(sealed_name=sealed)


class Migration(migrations.Migration):
    dependencies = [("tokens", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="apitoken", old_name="name", new_name="sealed_name"),
        migrations.AlterField(
            model_name="apitoken",
            name="sealed_name",
            field=nanobananas.vault.fields.SealedTextField(context="api-token", plain="name"),
        ),
        migrations.RunPython(seal_names, migrations.RunPython.noop),
    ]
