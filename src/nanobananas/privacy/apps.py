"""App config for privacy: retention, cleanup queue, purge receipts, legal holds, the personal data registry."""

from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "nanobananas.privacy"
    label = "privacy"

    def ready(self) -> None:
        from nanobananas.accounts.mail import mail_preferences_reader_set
        from nanobananas.privacy import tasks  # noqa: F401  # registers the jobs the services enqueue by name
        from nanobananas.privacy.selectors import email_preference_get
        from nanobananas.registry.personal_data import autodiscover, check_personal_data

        autodiscover()
        checks.register(check_personal_data, "privacy")
        mail_preferences_reader_set(email_preference_get)
