"""Known images say which algorithm made their perceptual hashes: rows listed so far were hashed by the
hand-written DCT pHash ("dct-v1"); new rows by OpenCV's ("opencv-v2"). The indexes carry the algorithm."""

from django.conf import settings
from django.db import migrations, models

CHOICES = [
    ("dct-v1", "hand-written DCT pHash and Lanczos dHash (before OpenCV)"),
    ("opencv-v2", "OpenCV pHash and dHash on area-averaged reductions"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0004_review_item_reason_sha256"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="knownimage",
            name="known_image_part_0",
        ),
        migrations.RemoveIndex(
            model_name="knownimage",
            name="known_image_part_1",
        ),
        migrations.RemoveIndex(
            model_name="knownimage",
            name="known_image_part_2",
        ),
        migrations.RemoveIndex(
            model_name="knownimage",
            name="known_image_part_3",
        ),
        # Every row that exists now was hashed by the old algorithm: the column is added with that value...
        migrations.AddField(
            model_name="knownimage",
            name="hash_algorithm",
            field=models.CharField(choices=CHOICES, default="dct-v1", max_length=16),
        ),
        # ...and new rows get the current one.
        migrations.AlterField(
            model_name="knownimage",
            name="hash_algorithm",
            field=models.CharField(choices=CHOICES, default="opencv-v2", max_length=16),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_0", "dhash_0", "dhash_1", "dhash_2", "dhash_3", "hash_algorithm"],
                name="known_image_hashes_0",
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_1", "dhash_0", "dhash_1", "dhash_2", "dhash_3", "hash_algorithm"],
                name="known_image_hashes_1",
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_2", "dhash_0", "dhash_1", "dhash_2", "dhash_3", "hash_algorithm"],
                name="known_image_hashes_2",
            ),
        ),
        migrations.AddIndex(
            model_name="knownimage",
            index=models.Index(
                fields=["phash_3", "dhash_0", "dhash_1", "dhash_2", "dhash_3", "hash_algorithm"],
                name="known_image_hashes_3",
            ),
        ),
    ]
