"""What API tokens store about a person, for the registry."""

from __future__ import annotations

from nanobananas.registry.personal_data import AccountClosing, Deletion, Link, PersonalData, reference, register
from nanobananas.tokens.models import ApiToken

__all__ = ["tokens_close"]


def tokens_close(closing: AccountClosing) -> dict[str, int]:
    """Every API token stops working at once."""
    deleted, _ = ApiToken.objects.filter(user_id=closing.user_id).delete()
    return {"tokens": deleted}


register(
    PersonalData(
        app_label="tokens",
        close=tokens_close,
        references=(
            reference("tokens.ApiToken.user", Link.USER, Deletion.ERASED, "every API token stops working at once",
                      exported="account.json: api_tokens (never the digest)"),
        ),
    )
)  # fmt: skip
