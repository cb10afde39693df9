"""A painted area (the mask sent with a turn) is an upload whose operation is `mask`; earlier ones are marked."""

import uuid
from typing import Any

from django.db import migrations, models


def mark_masks(apps: Any, schema_editor: Any) -> None:
    job_model = apps.get_model("studio", "Job")
    asset_model = apps.get_model("studio", "Asset")
    masks = [
        uuid.UUID(str(options["mask"]))
        for options in job_model.objects.filter(options__has_key="mask").values_list("options", flat=True).iterator()
    ]
    for start in range(0, len(masks), 500):
        asset_model.objects.filter(id__in=masks[start : start + 500], kind="upload").update(operation="mask")


def unmark_masks(apps: Any, schema_editor: Any) -> None:
    apps.get_model("studio", "Asset").objects.filter(operation="mask").update(operation="upload")


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0006_videos"),
    ]

    operations = [
        migrations.AlterField(
            model_name="asset",
            name="operation",
            field=models.CharField(
                choices=[
                    ("upload", "Upload"),
                    ("generate", "Generate"),
                    ("edit", "Edit"),
                    ("revert", "Revert"),
                    ("combine", "Combine"),
                    ("animate", "Animate"),
                    ("mask", "Mask"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_masks, unmark_masks),
    ]
