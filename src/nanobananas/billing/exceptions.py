"""Billing errors, on top of the shared tree in `core.exceptions`.

DomainError
+-- WebhookRejected (400)        a webhook whose signature is missing, wrong or stale, or whose body is not JSON
+-- PaymentProviderError (502)   the payment provider failed or timed out; nothing changed here, try again
"""

from __future__ import annotations

from nanobananas.core.exceptions import DomainError

__all__ = ["PaymentProviderError", "WebhookRejected"]


class WebhookRejected(DomainError):
    status_code = 400
    code = "webhook_rejected"


class PaymentProviderError(DomainError):
    status_code = 502
    code = "payment_provider_error"
