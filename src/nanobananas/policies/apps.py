"""App config for policies: versioned privacy policy and terms, notices and acceptances."""

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "nanobananas.policies"
    label = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        from nanobananas.policies import tasks  # noqa: F401  # registers the jobs the services enqueue by name
