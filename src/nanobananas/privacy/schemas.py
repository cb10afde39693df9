"""Privacy API shapes: data exports, privacy settings, the consent ledger, commercial-use images."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, StrictBool

__all__ = ["CommercialOut", "ConsentOut", "ExportOut", "PrivacyOut", "PrivacyPatch"]


class ExportOut(Schema):
    id: uuid.UUID
    status: str
    progress: int
    stage: str
    byte_size: int
    sha256: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    error: str
    download_url: str | None


class PrivacyOut(Schema):
    """Me -> Privacy: every setting's current value (the defaults until the owner changes one)."""

    improve_ai: bool
    commercial_use: bool
    commercial_training: bool
    analytics: bool
    third_party_ai: bool
    personalization: bool
    email_product_news: bool
    email_tips: bool
    # Always sent, whatever the settings: policy changes, security, export ready, deletion.
    service_notices: bool = True
    is_guest: bool
    updated_at: datetime | None


class PrivacyPatch(Schema):
    """Only the settings to change; an unknown name or a value other than true/false is rejected (400)."""

    model_config = ConfigDict(extra="forbid")

    improve_ai: StrictBool | None = None
    commercial_use: StrictBool | None = None
    commercial_training: StrictBool | None = None
    analytics: StrictBool | None = None
    third_party_ai: StrictBool | None = None
    personalization: StrictBool | None = None
    email_product_news: StrictBool | None = None
    email_tips: StrictBool | None = None


class ConsentOut(Schema):
    setting: str
    subject: str
    old: bool
    new: bool
    at: datetime
    policy_version: str
    source: str


class CommercialOut(Schema):
    asset_id: uuid.UUID
    commercial: bool
