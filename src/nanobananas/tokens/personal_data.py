"""What API tokens store about a person, for the registry."""

from __future__ import annotations

from nanobananas.registry.personal_data import (
    AccountClosing,
    Deletion,
    Exporter,
    ExportSection,
    Link,
    PersonalData,
    reference,
    register,
)
from nanobananas.tokens.models import ApiToken

__all__ = ["tokens_close", "tokens_export"]


def tokens_close(closing: AccountClosing) -> dict[str, int]:
    """Every API token stops working at once."""
    deleted, _ = ApiToken.objects.filter(user_id=closing.user_id).delete()
    return {"tokens": deleted}


def tokens_export(user_id: int) -> list[ExportSection]:
    """account.json: api_tokens, their names, scopes and times; never the digest."""
    tokens = [
        {
            "id": t.id,
            "name": t.name,
            "scopes": t.scopes,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in ApiToken.objects.filter(user_id=user_id).order_by("created_at")
    ]
    return [ExportSection("account.json", {"api_tokens": tokens})]


register(
    PersonalData(
        app_label="tokens",
        close=tokens_close,
        export=Exporter(files=tokens_export),
        references=(
            reference("tokens.ApiToken.user", Link.USER, Deletion.ERASED, "every API token stops working at once",
                      exported="account.json: api_tokens (never the digest)"),
        ),
    )
)  # fmt: skip
