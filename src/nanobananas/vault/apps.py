"""App config for the vault."""

from django.apps import AppConfig
from django.core import checks


class VaultConfig(AppConfig):
    name = "nanobananas.vault"
    label = "vault"

    def ready(self) -> None:
        from nanobananas.vault.keyring import master_key_check

        checks.register(master_key_check, checks.Tags.security)
