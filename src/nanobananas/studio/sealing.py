"""The vault's text sealing under its older studio path (the middleware setting and callers import it here)."""

from nanobananas.vault.sealing import UNREADABLE, TextKeyMemoMiddleware, key_memo, seal, unseal

__all__ = ["UNREADABLE", "TextKeyMemoMiddleware", "key_memo", "seal", "unseal"]
