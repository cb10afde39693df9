"""Identity tables: a Guest is the owner of everything a visitor makes without an account."""

from __future__ import annotations

import uuid

from django.db import models


class Guest(models.Model):
    """Created on a visitor's first write; its id lives only in their signed session cookie."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"guest {self.id}"
