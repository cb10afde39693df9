"""What the vault holds per person (one data key per owner), for the registry."""

from __future__ import annotations

from nanobananas.registry.personal_data import Deletion, Link, PersonalData, reference, register

register(
    PersonalData(
        app_label="vault",
        references=(
            reference("vault.DataKey.owner_key", Link.OWNER_KEY, Deletion.SHREDDED,
                      "crypto-shredding: deleted once the owner's sealed content is gone"),
        ),
    )
)  # fmt: skip
