"""The operator's training-set export: only images whose owners opted in, pseudonymized, with a manifest.

An image is written only when every rule lets it through; otherwise it is counted under the first
reason that keeps it out, in this order:

    queued_for_deletion         queued, past its deletion time, or in a conversation going away
    guest                       made by a guest (guests cannot give lasting consent)
    legal_hold                  under a legal hold (held evidence), on the image, its chat or its owner
    not_opted_in                the owner has not switched on "Use my images to improve AI"
    commercial_without_consent  marked for commercial use (the image or the whole account) without the
                                separate "commercial_training" consent

Owner ids become an HMAC-SHA256 under a key derived from SECRET_KEY (stable within one deployment, not
reversible without it); file names are keyed hashes of the image ids; prompts lose email addresses and
phone numbers; pixels are decoded and written again as PNG, so no metadata (EXIF, text chunks) rides along.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.crypto import salted_hmac
from PIL import Image

from nanobananas.audit.services import audit_record

__all__ = [
    "EXCLUSION_REASONS",
    "BadOutputDirectory",
    "TrainingSetResult",
    "owner_pseudonym",
    "prompt_scrub",
    "training_file_name",
    "training_set_write",
]

FORMAT = "nanobananas-training-set"
SCHEMA_VERSION = 1
EXCLUSION_REASONS = ("queued_for_deletion", "guest", "legal_hold", "not_opted_in", "commercial_without_consent")
OWNER_SALT = "nanobananas.privacy.training.owner"
FILE_SALT = "nanobananas.privacy.training.file"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Seven or more digits, possibly with a leading + and spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){6,}(?!\w)")


class BadOutputDirectory(Exception):
    """The output is a file, a directory that is not empty, or cannot be created."""


@dataclass
class TrainingSetResult:
    output: Path
    snapshot_at: datetime
    written: int = 0
    excluded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXCLUSION_REASONS, 0))


def owner_pseudonym(owner_key: str) -> str:
    """A keyed hash of an owner ("u12"): the same person gets the same value in every set of this deployment."""
    return salted_hmac(OWNER_SALT, owner_key, algorithm="sha256").hexdigest()


def training_file_name(asset_id: Any) -> str:
    """Where an image lands in the set: a keyed hash of its id, so the set carries no internal ids."""
    return f"images/{salted_hmac(FILE_SALT, str(asset_id), algorithm='sha256').hexdigest()[:32]}.png"


def prompt_scrub(text: str) -> str:
    """The prompt without email addresses and phone numbers."""
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


def _prepare(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise BadOutputDirectory(f"{output} is a file, not a directory")
    if output.is_dir() and any(output.iterdir()):
        raise BadOutputDirectory(f"{output} is not empty; choose a new or empty directory")
    try:
        (output / "images").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadOutputDirectory(f"cannot create {output}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class _Consent:
    improve_ai: bool
    commercial_account: bool
    commercial_training: bool


def _consents() -> dict[int, _Consent]:
    """Every account's training choices, read once: the consent snapshot."""
    from nanobananas.privacy.models import PrivacySettings

    rows = PrivacySettings.objects.filter(owner_user__isnull=False).values_list(
        "owner_user_id", "improve_ai", "commercial_use", "commercial_training"
    )
    return {user_id: _Consent(improve, commercial, training) for user_id, improve, commercial, training in rows}


def _reason(asset: Any, *, now: datetime, held: set[Any], commercial: set[Any], consents: dict[int, _Consent]) -> str:
    from nanobananas.studio.models import Lifecycle

    if (
        asset.state != Lifecycle.ACTIVE
        or asset.expires_at <= now
        or asset.conversation.state != Lifecycle.ACTIVE
        or asset.conversation.expires_at <= now
    ):
        return "queued_for_deletion"
    if asset.owner_user_id is None:
        return "guest"
    if asset.id in held:
        return "legal_hold"
    consent = consents.get(asset.owner_user_id)
    if consent is None or not consent.improve_ai:
        return "not_opted_in"
    if (consent.commercial_account or asset.id in commercial) and not consent.commercial_training:
        return "commercial_without_consent"
    return ""


def _prompt(asset: Any) -> str:
    """The request that made a result; uploads have none (their file names are not kept)."""
    job = asset.job
    if job is None:
        return ""
    return prompt_scrub(job.request.text)


def _png(asset: Any) -> bytes:
    with default_storage.open(asset.blob_name, "rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        converted = image if image.mode in {"RGB", "RGBA", "L", "LA"} else image.convert("RGBA")
        out = io.BytesIO()
        converted.save(out, format="PNG")
    return out.getvalue()


def training_set_write(*, output: Path) -> TrainingSetResult:
    """Write the training set into `output` (new or empty directory): images/<hash>.png and manifest.json."""
    from nanobananas.privacy.models import CommercialImage
    from nanobananas.privacy.services import unheld
    from nanobananas.studio.models import Asset

    output = Path(output)
    _prepare(output)
    snapshot_at = timezone.now()
    consents = _consents()
    commercial = set(CommercialImage.objects.values_list("asset_id", flat=True))
    everything = Asset.objects.all()
    held = set(everything.values_list("id", flat=True)) - set(
        unheld(everything, kind="asset").values_list("id", flat=True)
    )
    result = TrainingSetResult(output=output, snapshot_at=snapshot_at)
    files: list[dict[str, Any]] = []
    rows = Asset.objects.select_related("conversation", "job__request__conversation").order_by("created_at", "id")
    for asset in rows.iterator(chunk_size=200):
        reason = _reason(asset, now=snapshot_at, held=held, commercial=commercial, consents=consents)
        if reason:
            result.excluded[reason] += 1
            continue
        data = _png(asset)
        name = training_file_name(asset.id)
        (output / name).write_bytes(data)
        files.append(
            {
                "file": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "owner": owner_pseudonym(f"u{asset.owner_user_id}"),
                "kind": asset.kind,
                "operation": asset.operation,
                "prompt": _prompt(asset),
                "width": asset.width,
                "height": asset.height,
            }
        )
        result.written += 1
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "consent_snapshot_at": snapshot_at,
        "generated_at": timezone.now(),
        "counts": {"written": result.written, "excluded": result.excluded},
        "owner_ids": "HMAC-SHA256 under a key derived from this deployment's SECRET_KEY",
        "files": files,
    }
    (output / "manifest.json").write_text(json.dumps(manifest, cls=DjangoJSONEncoder, indent=2) + "\n")
    audit_record(
        kind="training_set.written",
        actor="operator",
        details={"written": result.written, "excluded": result.excluded, "snapshot_at": snapshot_at.isoformat()},
    )
    return result
