"""App config for the studio."""

from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "nanobananas.studio"
    label = "studio"
