"""Known images get their hashes in 16-bit parts, in four indexes (an indexed near look-up); blocked requests are also
counted by a keyed hash of the network address; decided review items are found by decision time."""

from typing import Any

from django.db import migrations, models


def _parts(hex_hash: str) -> list[int]:
    value = int(hex_hash, 16)
    return [value >> shift & 0xFFFF for shift in (48, 32, 16, 0)]


def fill_parts(apps: Any, schema_editor: Any) -> None:
    KnownImage = apps.get_model("moderation", "KnownImage")
    names = [f"{kind}_{i}" for kind in ("phash", "dhash") for i in range(4)]
    for known in KnownImage.objects.all().iterator():
        for name, value in zip(names, _parts(known.phash) + _parts(known.dhash), strict=True):
            setattr(known, name, value)
        known.save(update_fields=names)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="knownimage",
            name="phash_0",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="pHash bits 63-48"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="phash_1",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="pHash bits 47-32"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="phash_2",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="pHash bits 31-16"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="phash_3",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="pHash bits 15-0"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="dhash_0",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="dHash bits 63-48"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="dhash_1",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="dHash bits 47-32"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="dhash_2",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="dHash bits 31-16"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="knownimage",
            name="dhash_3",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="dHash bits 15-0"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_parts, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_0", "dhash_0", "dhash_1", "dhash_2", "dhash_3"], name="known_image_part_0"
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_1", "dhash_0", "dhash_1", "dhash_2", "dhash_3"], name="known_image_part_1"
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_2", "dhash_0", "dhash_1", "dhash_2", "dhash_3"], name="known_image_part_2"
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_3", "dhash_0", "dhash_1", "dhash_2", "dhash_3"], name="known_image_part_3"
            ),
        ),
        migrations.AlterField(
            model_name="reviewitem",
            name="decided_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.CreateModel(
            name="BlockedAddress",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("address_key", models.CharField(max_length=64)),
                ("at", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [models.Index(fields=["address_key", "at"], name="blocked_address_time")],
            },
        ),
    ]
