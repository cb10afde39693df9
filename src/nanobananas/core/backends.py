"""Pluggable parts as settings aliases, in the Django style: SETTING = {alias: {"BACKEND", "OPTIONS"}}.

A `BackendHandler` loads an alias lazily, caches the instance, checks its type, and names the alias
in every configuration error. Caches are cleared when the setting changes (tests override them).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

__all__ = ["BackendHandler"]

T = TypeVar("T")


class BackendHandler(Generic[T]):
    def __init__(self, *, setting: str, kind: str, base: type[Any], default_key: str) -> None:
        """`setting` holds the aliases, `kind` names them in errors ("image provider"), every backend must
        be a `base`, and settings.NANOBANANAS[`default_key`] names the deployment's alias."""
        self.setting, self.kind, self.base, self.default_key = setting, kind, base, default_key
        self._instances: dict[str, T] = {}
        setting_changed.connect(self._reset, weak=False)

    def __call__(self, alias: str | None = None) -> T:
        """The backend for `alias`, or the deployment's default."""
        alias = alias or settings.NANOBANANAS[self.default_key]
        if alias not in self._instances:
            self._instances[alias] = self._load(alias)
        return self._instances[alias]

    def _load(self, alias: str) -> T:
        aliases: dict[str, Any] = getattr(settings, self.setting)
        try:
            config = aliases[alias]
        except KeyError:
            known = ", ".join(sorted(aliases))
            raise ImproperlyConfigured(f"{self.kind} {alias!r} is not configured (known: {known})") from None
        try:
            backend = import_string(config["BACKEND"])
        except (ImportError, KeyError) as exc:
            raise ImproperlyConfigured(f"{self.kind} {alias!r} has an unusable BACKEND: {exc}") from exc
        instance = backend(**config.get("OPTIONS", {}))
        if not isinstance(instance, self.base):
            raise ImproperlyConfigured(
                f"{self.kind} {alias!r}: {config['BACKEND']} is not of type {self.base.__name__}"
            )
        return instance

    def _reset(self, *, setting: str, **_: object) -> None:
        if setting in {self.setting, "NANOBANANAS"}:
            self._instances.clear()
