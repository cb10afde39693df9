"""Payment-provider aliases in the Django style: settings.PAYMENT_PROVIDERS = {alias: {BACKEND, OPTIONS}}."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from nanobananas.billing.providers.base import PaymentProvider

__all__ = ["payment_provider"]


@cache
def _load(alias: str) -> PaymentProvider:
    try:
        config = settings.PAYMENT_PROVIDERS[alias]
    except KeyError:
        known = ", ".join(sorted(settings.PAYMENT_PROVIDERS))
        raise ImproperlyConfigured(f"payment provider {alias!r} is not configured (known: {known})") from None
    try:
        backend = import_string(config["BACKEND"])
    except (ImportError, KeyError) as exc:
        raise ImproperlyConfigured(f"payment provider {alias!r} has an unusable BACKEND: {exc}") from exc
    provider = backend(**config.get("OPTIONS", {}))
    if not isinstance(provider, PaymentProvider):
        raise ImproperlyConfigured(f"payment provider {alias!r}: {config['BACKEND']} is not a PaymentProvider")
    return provider


def payment_provider(alias: str | None = None) -> PaymentProvider:
    """The provider for `alias`, or the deployment's one."""
    return _load(alias or settings.NANOBANANAS["PAYMENT_PROVIDER"])


@receiver(setting_changed)
def _reset_on_settings_change(*, setting: str, **_: object) -> None:
    if setting in {"PAYMENT_PROVIDERS", "NANOBANANAS"}:
        _load.cache_clear()
