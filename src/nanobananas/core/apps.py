"""App config for shared pieces."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nanobananas.core"
    label = "core"
