"""App config for the studio; loads its jobs, so the services can enqueue them by name in every process, and the
work of each kind of job, so the job runner (studio/jobs.py) finds it."""

from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "nanobananas.studio"
    label = "studio"

    def ready(self) -> None:
        from nanobananas.studio import composition, tasks, video_tasks, videos  # noqa: F401  # register the jobs the services enqueue  # noqa: F401  # register the work of image and video jobs
