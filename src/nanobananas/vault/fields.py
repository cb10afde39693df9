"""Model fields whose column holds only vault tokens: the declared way to keep what a person wrote sealed.

A `SealedTextField` or `SealedJSONField` column (`sealed_<name>`) stores `vault1:` tokens sealed with
the data key of the row's owner, bound to the row's id; the model gets a plain attribute `<name>`
that opens the token on read (once per stored value) and seals on assignment, also as a keyword to
the model's constructor or to `objects.create`. Text whose owner was crypto-shredded reads as
`UNREADABLE` (JSON as its empty value), never as an error.

The row names its key owner with an attribute (`key_owner`, default `owner_key`: "u<id>" or
"g<id>"), and the context is `<context>:<pk>` when the primary key is set on creation (UUIDs), so a
token copied to another row or owner fails to open. The tests in tests/security/test_sealed_fields.py
walk every model and fail on a text or JSON column that is neither one of these nor allow-listed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import models

from nanobananas.vault.sealing import PREFIX, UNREADABLE, seal, unseal

__all__ = ["SealedField", "SealedJSONField", "SealedTextField", "sealed_columns_for", "sealed_token"]


class SealedField(models.TextField):
    """Common part of the sealed fields: a text column of tokens plus the plain attribute."""

    def __init__(
        self,
        *args: Any,
        plain: str,
        context: str,
        key_owner: str = "owner_key",
        bind_pk: bool = True,
        **kwargs: Any,
    ) -> None:
        self.plain = plain
        self.context = context
        self.key_owner = key_owner
        # Rows whose primary key is only known after the insert (auto ids) bind tokens to the owner alone.
        self.bind_pk = bind_pk
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(plain=self.plain, context=self.context)
        if self.key_owner != "owner_key":
            kwargs["key_owner"] = self.key_owner
        if not self.bind_pk:
            kwargs["bind_pk"] = False
        if kwargs.pop("blank", False) is not True:
            kwargs["blank"] = False
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            setattr(cls, self.plain, property(self._getter(), self._setter()))

    def owner_of(self, instance: Any) -> str:
        return str(getattr(instance, self.key_owner))

    def context_of(self, instance: Any) -> str:
        return f"{self.context}:{instance.pk}" if self.bind_pk else self.context

    def encode(self, value: Any) -> str:
        raise NotImplementedError

    def decode(self, plain: str | None) -> Any:
        """The value of a stored plain text; None when the text can no longer be read."""
        raise NotImplementedError

    def seal_value(self, instance: Any, value: Any, *, owner_key: str | None = None) -> str:
        """The token to store for `value` on `instance` ("" for an empty value), for its owner or `owner_key`."""
        owner = owner_key if owner_key is not None else self.owner_of(instance)
        return seal(self.encode(value), owner_key=owner, context=self.context_of(instance))

    def open_value(self, instance: Any, stored: str) -> Any:
        if not stored.startswith(PREFIX):
            # Empty (nothing to open, so no owner lookup), or a row from before this column was sealed.
            return self.decode(stored)
        plain = unseal(stored, owner_key=self.owner_of(instance), context=self.context_of(instance))
        return self.decode(None if plain == UNREADABLE else plain)

    def _getter(self) -> Callable[[Any], Any]:
        cache = f"_{self.plain}_opened"

        def get(instance: Any) -> Any:
            stored = getattr(instance, self.attname) or ""
            cached = instance.__dict__.get(cache)
            if cached is None or cached[0] != stored:
                cached = instance.__dict__[cache] = (stored, self.open_value(instance, stored))
            return cached[1]

        return get

    def _setter(self) -> Callable[[Any, Any], None]:
        cache = f"_{self.plain}_opened"

        def set_(instance: Any, value: Any) -> None:
            stored = self.seal_value(instance, value)
            setattr(instance, self.attname, stored)
            instance.__dict__[cache] = (stored, value)

        return set_


class SealedTextField(SealedField):
    """A sealed text: reads as the text, or `UNREADABLE` once its owner's key was shredded."""

    def encode(self, value: Any) -> str:
        return str(value or "")

    def decode(self, plain: str | None) -> Any:
        return UNREADABLE if plain is None else plain


class SealedJSONField(SealedField):
    """Sealed JSON: reads as the value, or as `empty()` (also once the owner's key was shredded)."""

    def __init__(self, *args: Any, empty: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        self.empty = empty
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.empty is not None:
            kwargs["empty"] = self.empty
        return name, path, args, kwargs

    def _empty(self) -> Any:
        return self.empty() if self.empty is not None else None

    def encode(self, value: Any) -> str:
        if value is None or value == self._empty():
            return ""
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def decode(self, plain: str | None) -> Any:
        if not plain:
            return self._empty()
        # Rows from before sealing hold JSON as it was; a plain text that is not JSON is kept as a string.
        try:
            return json.loads(plain)
        except ValueError:
            return plain


def _sealed_field(model: Any, plain: str) -> SealedField:
    for field in model._meta.concrete_fields:
        if isinstance(field, SealedField) and field.plain == plain:
            return field
    raise LookupError(f"{model._meta.label} has no sealed field named {plain!r}")


def sealed_token(instance: Any, plain: str, value: Any) -> str:
    """The token `instance.<plain> = value` would store: for a queryset `update()` of a sealed column."""
    return _sealed_field(type(instance), plain).seal_value(instance, value)


def sealed_columns_for(instance: Any, *, owner_key: str) -> dict[str, str]:
    """Every sealed column of `instance` opened with its owner's key and sealed again for `owner_key`
    (a guest's work moving to the account it signed up for), as `update()` keyword arguments."""
    columns = {}
    for field in type(instance)._meta.concrete_fields:
        if isinstance(field, SealedField) and getattr(instance, field.attname):
            value = getattr(instance, field.plain)
            columns[field.attname] = field.seal_value(instance, value, owner_key=owner_key)
    return columns
