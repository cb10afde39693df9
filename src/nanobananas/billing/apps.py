"""App config for billing; loads its jobs, so the services can enqueue them by name in every process."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "nanobananas.billing"
    label = "billing"

    def ready(self) -> None:
        from nanobananas.billing import tasks  # noqa: F401  # registers the jobs the services enqueue by name
