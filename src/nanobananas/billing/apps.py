"""App config for billing."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "nanobananas.billing"
    label = "billing"
