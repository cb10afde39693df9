"""Fixtures for content review: owners, a staff client with or without the evidence permission."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from PIL import Image, ImageDraw

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create

MARKER = "zebracorn-7Q4"
"""A word that appears in no list: tests put it in prompts and look for it in the audit log."""


@pytest.fixture
def guest_owner(db: None) -> Owner:
    return Owner(guest_id=guest_create().id)


@pytest.fixture
def user_owner(db: None) -> Owner:
    user = get_user_model().objects.create_user(username="mira", email="mira@example.org", password="x" * 12)
    return Owner(user_id=user.pk)


def _staff(username: str, *permissions: str) -> Client:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="x" * 12, is_staff=True
    )
    for codename in permissions:
        app_label, code = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=code))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def moderator(db: None) -> Client:
    """Staff who work the review queue but may not open evidence."""
    return _staff("moderator", "moderation.view_reviewitem", "moderation.change_reviewitem", "auth.change_user")


@pytest.fixture
def investigator(db: None) -> Client:
    """Staff with view_evidence and release_evidence."""
    return _staff(
        "investigator",
        "moderation.view_reviewitem",
        "moderation.change_reviewitem",
        "moderation.view_evidence",
        "moderation.release_evidence",
    )


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A busy picture that differs from picture(seed + 1) in structure, not just colour."""
    image = Image.new("RGB", (320, 240), (40 + 30 * seed % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    for n in range(14):
        x = (n * 37 * (seed + 2)) % 280
        y = (n * 53 * (seed + 3)) % 200
        draw.ellipse((x, y, x + 30 + seed * 5, y + 25 + n), fill=((n * 50 + seed * 80) % 255, 220 - n * 10, 40))
    draw.rectangle((10 + seed * 25, 150 - seed * 20, 120 + seed * 15, 230), fill=(250, 250, 250))
    return image.resize(size) if size != (320, 240) else image


def encoded(image: Image.Image, *, format: str = "PNG", quality: int = 80) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, quality=quality)
    return buffer.getvalue()
