"""Subscriptions and payments: the Pro plan through a payment provider (Stripe or the offline test mode)."""
