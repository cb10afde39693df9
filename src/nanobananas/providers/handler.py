"""Provider aliases in the Django style: settings.IMAGE_PROVIDERS = {alias: {BACKEND, OPTIONS}}."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from nanobananas.providers.base import ImageProvider

__all__ = ["image_provider"]


@cache
def _load(alias: str) -> ImageProvider:
    try:
        config = settings.IMAGE_PROVIDERS[alias]
    except KeyError:
        known = ", ".join(sorted(settings.IMAGE_PROVIDERS))
        raise ImproperlyConfigured(f"image provider {alias!r} is not configured (known: {known})") from None
    try:
        backend = import_string(config["BACKEND"])
    except (ImportError, KeyError) as exc:
        raise ImproperlyConfigured(f"image provider {alias!r} has an unusable BACKEND: {exc}") from exc
    provider = backend(**config.get("OPTIONS", {}))
    if not isinstance(provider, ImageProvider):
        raise ImproperlyConfigured(f"image provider {alias!r}: {config['BACKEND']} is not an ImageProvider")
    return provider


def image_provider(alias: str | None = None) -> ImageProvider:
    """The provider for `alias`, or the deployment's default one."""
    return _load(alias or settings.NANOBANANAS["IMAGE_PROVIDER"])


@receiver(setting_changed)
def _reset_on_settings_change(*, setting: str, **_: object) -> None:
    if setting in {"IMAGE_PROVIDERS", "NANOBANANAS"}:
        _load.cache_clear()
