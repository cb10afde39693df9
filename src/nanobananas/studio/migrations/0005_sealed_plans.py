"""An image's plan, op records and upload file name, and a job's error message, are sealed with the
owner's data key; existing rows are sealed in place (the old plain columns are dropped)."""

import json
from typing import Any

from django.db import migrations

import nanobananas.vault.fields
from nanobananas.vault.sealing import seal

LEGACY = {"plan": "legacy_plan", "steps": "legacy_steps", "original_name": "legacy_original_name"}


def _owner_key(user_id: int | None, guest_id: Any) -> str:
    return f"u{user_id}" if user_id is not None else f"g{guest_id}"


def seal_rows(apps: Any, schema_editor: Any) -> None:
    asset = apps.get_model("studio", "Asset")
    rows = asset.objects.values_list("pk", "owner_user_id", "owner_guest_id", *LEGACY.values())
    for pk, user_id, guest_id, plan, steps, original_name in rows.iterator():
        owner_key = _owner_key(user_id, guest_id)
        tokens = {
            "sealed_plan": json.dumps(plan, separators=(",", ":"), sort_keys=True) if plan else "",
            "sealed_steps": json.dumps(steps, separators=(",", ":"), sort_keys=True) if steps else "",
            "sealed_original_name": original_name or "",
        }
        contexts = {"sealed_plan": "asset.plan", "sealed_steps": "asset.steps", "sealed_original_name": "asset.name"}
        asset.objects.filter(pk=pk).update(
            **{name: seal(text, owner_key=owner_key, context=f"{contexts[name]}:{pk}") for name, text in tokens.items()}
        )
    job = apps.get_model("studio", "Job")
    failed = job.objects.exclude(legacy_error_message="").values_list(
        "pk", "conversation__owner_user_id", "conversation__owner_guest_id", "legacy_error_message"
    )
    for pk, user_id, guest_id, message in failed.iterator():
        token = seal(message, owner_key=_owner_key(user_id, guest_id), context=f"job.error:{pk}")
        job.objects.filter(pk=pk).update(sealed_error_message=token)


class Migration(migrations.Migration):
    dependencies = [("studio", "0004_asset_sent")]

    operations = [
        *(migrations.RenameField("asset", old, new) for old, new in LEGACY.items()),
        migrations.RenameField("job", "error_message", "legacy_error_message"),
        migrations.AddField(
            model_name="asset",
            name="sealed_original_name",
            field=nanobananas.vault.fields.SealedTextField(context="asset.name", plain="original_name"),
        ),
        migrations.AddField(
            model_name="asset",
            name="sealed_plan",
            field=nanobananas.vault.fields.SealedJSONField(context="asset.plan", plain="plan"),
        ),
        migrations.AddField(
            model_name="asset",
            name="sealed_steps",
            field=nanobananas.vault.fields.SealedJSONField(context="asset.steps", empty=list, plain="steps"),
        ),
        migrations.AddField(
            model_name="job",
            name="sealed_error_message",
            field=nanobananas.vault.fields.SealedTextField(context="job.error", plain="error_message"),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="sealed_title",
            field=nanobananas.vault.fields.SealedTextField(context="conversation", plain="title"),
        ),
        migrations.AlterField(
            model_name="message",
            name="sealed_text",
            field=nanobananas.vault.fields.SealedTextField(blank=False, context="message", plain="text"),
        ),
        migrations.RunPython(seal_rows, migrations.RunPython.noop),
        *(migrations.RemoveField("asset", new) for new in LEGACY.values()),
        migrations.RemoveField("job", "legacy_error_message"),
    ]
