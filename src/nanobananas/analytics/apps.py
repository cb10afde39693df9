"""App config for analytics: pseudonymous events, daily aggregates, feedback and reports."""

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "nanobananas.analytics"
    label = "analytics"
    verbose_name = "Analytics and feedback"
