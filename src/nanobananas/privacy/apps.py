"""App config for privacy: retention, cleanup queue, purge receipts, legal holds."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "nanobananas.privacy"
    label = "privacy"
