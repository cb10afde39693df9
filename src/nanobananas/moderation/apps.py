"""App config for content review: connects the sign-in audit receivers and registers the studio's content screen."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "nanobananas.moderation"
    label = "moderation"
    verbose_name = "Content review"

    def ready(self) -> None:
        from nanobananas.moderation.receivers import connect
        from nanobananas.moderation.services import provider_refusal_review, result_screen, turn_screen
        from nanobananas.registry.screening import ContentScreen, content_screen_register

        connect()
        # The studio asks this screen before it stores a turn or a result; it imports nothing of moderation.
        content_screen_register(
            ContentScreen(turn=turn_screen, result=result_screen, provider_refusal=provider_refusal_review)
        )
