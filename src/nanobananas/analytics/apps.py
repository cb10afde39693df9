"""App config for analytics: pseudonymous events, daily aggregates, feedback and reports."""

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "nanobananas.analytics"
    label = "analytics"
    verbose_name = "Analytics and feedback"

    def ready(self) -> None:
        from nanobananas.analytics import tasks  # noqa: F401  # registers the job the services enqueue by name
