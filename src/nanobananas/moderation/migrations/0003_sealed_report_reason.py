"""A report's reason is sealed with the reporter's data key; the evidence prompt is declared sealed."""

from typing import Any

from django.db import migrations

import nanobananas.vault.fields
from nanobananas.vault.sealing import PREFIX, seal


def seal_reasons(apps: Any, schema_editor: Any) -> None:
    review_item = apps.get_model("moderation", "ReviewItem")
    rows = review_item.objects.exclude(sealed_reason="").exclude(sealed_reason__startswith=PREFIX)
    for pk, text, reporter, user_id, guest_id in rows.values_list(
        "pk", "sealed_reason", "reported_by", "owner_user_id", "owner_guest_id"
    ):
        owner_key = reporter or (f"u{user_id}" if user_id is not None else f"g{guest_id}")
        if not reporter:
            review_item.objects.filter(pk=pk).update(reported_by=owner_key)
        token = seal(text, owner_key=owner_key, context=f"report:{pk}")
        review_item.objects.filter(pk=pk).update(sealed_reason=token)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_known_image_parts_blocked_address")]

    operations = [
        migrations.RenameField(model_name="reviewitem", old_name="reason", new_name="sealed_reason"),
        migrations.AlterField(
            model_name="reviewitem",
            name="sealed_reason",
            field=nanobananas.vault.fields.SealedTextField(context="report", key_owner="reported_by", plain="reason"),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="sealed_prompt",
            field=nanobananas.vault.fields.SealedTextField(context="evidence", key_owner="sealing_key", plain="prompt"),
        ),
        migrations.RunPython(seal_reasons, migrations.RunPython.noop),
    ]
