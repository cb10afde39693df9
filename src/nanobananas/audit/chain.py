"""The hash of an audit event: SHA-256 over a canonical JSON of its fields and the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

__all__ = ["GENESIS", "event_hash"]

GENESIS = "0" * 64


def event_hash(
    *,
    prev_hash: str,
    event_id: int,
    at: datetime,
    kind: str,
    actor: str,
    owner_key: str,
    target_type: str,
    target_id: str,
    details: dict[str, Any],
) -> str:
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "id": event_id,
            "at": at.isoformat(timespec="microseconds"),
            "kind": kind,
            "actor": actor,
            "owner": owner_key,
            "target": [target_type, target_id],
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
