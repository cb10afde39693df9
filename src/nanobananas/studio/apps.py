"""App config for the studio; loads its jobs, so the services can enqueue them by name in every process."""

from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "nanobananas.studio"
    label = "studio"

    def ready(self) -> None:
        from nanobananas.studio import tasks, video_tasks  # noqa: F401  # register the jobs the services enqueue
