"""App config for personal API tokens."""

from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "nanobananas.tokens"
    label = "tokens"
