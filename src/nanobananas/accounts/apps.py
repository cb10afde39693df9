"""App config for identities."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nanobananas.accounts"
    label = "accounts"
