"""App config for content review; connects the sign-in audit receivers."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "nanobananas.moderation"
    label = "moderation"
    verbose_name = "Content review"

    def ready(self) -> None:
        from nanobananas.moderation.receivers import connect

        connect()
