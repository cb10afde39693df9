"""Payment-provider aliases: settings.PAYMENT_PROVIDERS = {alias: {BACKEND, OPTIONS}}."""

from __future__ import annotations

from nanobananas.billing.providers.base import PaymentProvider
from nanobananas.core.backends import BackendHandler

__all__ = ["payment_provider"]

payment_provider: BackendHandler[PaymentProvider] = BackendHandler(
    setting="PAYMENT_PROVIDERS", kind="payment provider", base=PaymentProvider, default_key="PAYMENT_PROVIDER"
)
