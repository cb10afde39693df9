"""The three plans as first seeded; the rows in the database (editable in the admin) win over these."""

from __future__ import annotations

from typing import Any

__all__ = ["PLAN_DEFAULTS", "QUOTA_KINDS"]

MB = 1024 * 1024

# kind -> (daily limit field, monthly limit field, what one unit is called)
QUOTA_KINDS: dict[str, tuple[str, str, str, str]] = {
    "image": ("daily_images", "monthly_images", "image", "images"),
    "video": ("daily_videos", "monthly_videos", "video", "videos"),
}

PLAN_DEFAULTS: dict[str, dict[str, Any]] = {
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
