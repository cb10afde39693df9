"""App config for the vault."""

from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "nanobananas.vault"
    label = "vault"
