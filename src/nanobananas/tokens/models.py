"""Token table: only a SHA-256 digest of each secret is stored; the prefix lets a person recognise it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from nanobananas.vault.fields import SealedTextField


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        IMAGES_READ = "images:read"
        IMAGES_WRITE = "images:write"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # The label its owner typed ("my laptop"): sealed with their data key; `name` reads and writes it.
    sealed_name = SealedTextField(plain="name", context="api-token")
    name: str
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def owner_key(self) -> str:
        return f"u{self.user_id}"
