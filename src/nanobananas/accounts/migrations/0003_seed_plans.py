"""Seed the Guest, Free and Pro plans (values frozen here; `accounts/plans.py` holds the same defaults)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MB = 1024 * 1024

PLANS = {
    "guest": {
        "name": "Guest",
        "is_paid": False,
        "price_label": "",
        "daily_images": 10,
        "monthly_images": 100,
        "daily_videos": 2,
        "monthly_videos": 20,
        "max_upload_bytes": 10 * MB,
        "max_resolution": 2048,
        "video_seconds": 6,
        "allowed_providers": ["builtin"],
        "retention_hours_options": [24],
        "default_retention_hours": 24,
    },
    "free": {
        "name": "Free",
        "is_paid": False,
        "price_label": "",
        "daily_images": 50,
        "monthly_images": 500,
        "daily_videos": 5,
        "monthly_videos": 50,
        "max_upload_bytes": 25 * MB,
        "max_resolution": 4096,
        "video_seconds": 10,
        "allowed_providers": ["builtin"],
        "retention_hours_options": [48],
        "default_retention_hours": 48,
    },
    "pro": {
        "name": "Pro",
        "is_paid": True,
        "price_label": "per month",
        "daily_images": 500,
        "monthly_images": 5000,
        "daily_videos": 50,
        "monthly_videos": 500,
        "max_upload_bytes": 50 * MB,
        "max_resolution": 8192,
        "video_seconds": 30,
        "allowed_providers": ["builtin", "gemini", "openai"],
        "retention_hours_options": [48, 168],
        "default_retention_hours": 48,
    },
}


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    plan_model = apps.get_model("accounts", "Plan")
    for code, values in PLANS.items():
        plan_model.objects.update_or_create(code=code, defaults=values)


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("accounts", "Plan").objects.filter(code__in=list(PLANS)).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_plan_profile_usersession_quotausage")]

    operations = [migrations.RunPython(seed, unseed)]
