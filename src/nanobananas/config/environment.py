"""The one place that reads the process environment; everything else reads settings.

The `NANOBANANAS_*` variables are fields of one pydantic-settings class, each under its full name
(`_variable("NANOBANANAS_DEBUG", False)`: the name, then the default). What the values may be is kept
from the hand-written reader this replaced: an empty value means the default for text and numbers
(`NANOBANANAS_MAX_PROMPT_CHARS=` is 4000), a flag is 1/0, true/false, yes/no or on/off (empty is off),
a list is comma-separated (empty items dropped), and a bad value is a `ValueError` that names the variable
(`NANOBANANAS_DEBUG must be one of ...; got 'maybe'`), never pydantic's own report.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nanobananas.config.datadir import data_dir_prepare

__all__ = ["Environment", "read_environment"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _variable(name: str, default: Any) -> Any:
    """A field read from the environment variable `name` (exactly as spelled), `default` when it is unset."""
    return Field(default, validation_alias=name)


def _secret_key(home: Path) -> str:
    """A key generated once and kept in the data dir (mode 0600), for when NANOBANANAS_SECRET_KEY is unset."""
    key_file = home / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    # O_EXCL: when two processes start at once, exactly one writes and the other reads.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Environment(BaseSettings):
    """Deployment configuration taken from `NANOBANANAS_*` variables.

    Fields are validated in the order written: the data dir before the secret key kept in it, and the
    provider keys before the provider choices whose defaults follow them."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        frozen=True,
        extra="ignore",
        # Lists are comma-separated, not JSON; every value goes through the validators below.
        enable_decoding=False,
        validate_default=True,
    )

    home: Path = _variable("NANOBANANAS_HOME", "./var")
    database_url: str | None = _variable("NANOBANANAS_DATABASE_URL", None)
    database_pool_size: int = _variable("NANOBANANAS_DATABASE_POOL_SIZE", 20)
    redis_url: str | None = _variable("NANOBANANAS_REDIS_URL", None)
    secret_key: str = _variable("NANOBANANAS_SECRET_KEY", "")
    debug: bool = _variable("NANOBANANAS_DEBUG", False)
    allowed_hosts: list[str] = _variable("NANOBANANAS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    max_prompt_chars: int = _variable("NANOBANANAS_MAX_PROMPT_CHARS", 4000)
    worker_stale_seconds: int = _variable("NANOBANANAS_WORKER_STALE_SECONDS", 15)
    events_recheck_seconds: int = _variable("NANOBANANAS_EVENTS_RECHECK_SECONDS", 5)
    https: bool = _variable("NANOBANANAS_HTTPS", False)
    proxy_ssl_header: str | None = _variable("NANOBANANAS_PROXY_SSL_HEADER", None)
    trusted_proxies: list[str] = _variable("NANOBANANAS_TRUSTED_PROXIES", "")
    csrf_trusted_origins: list[str] = _variable("NANOBANANAS_CSRF_TRUSTED_ORIGINS", "")
    gemini_api_key: str | None = _variable("NANOBANANAS_GEMINI_API_KEY", None)
    gemini_base_url: str | None = _variable("NANOBANANAS_GEMINI_BASE_URL", None)
    gemini_image_model: str = _variable("NANOBANANAS_GEMINI_IMAGE_MODEL", "gemini-2.5-flash-image")
    gemini_video_model: str = _variable("NANOBANANAS_GEMINI_VIDEO_MODEL", "veo-3.0-fast-generate-001")
    gemini_text_model: str = _variable("NANOBANANAS_GEMINI_TEXT_MODEL", "gemini-2.5-flash")
    # After the Gemini key: the image provider is Gemini by default when its key is set.
    image_provider: str = _variable("NANOBANANAS_IMAGE_PROVIDER", "")
    planner: str = _variable("NANOBANANAS_PLANNER", "builtin")
    openai_api_key: str | None = _variable("NANOBANANAS_OPENAI_API_KEY", None)
    openai_base_url: str | None = _variable("NANOBANANAS_OPENAI_BASE_URL", None)
    openai_image_model: str = _variable("NANOBANANAS_OPENAI_IMAGE_MODEL", "gpt-image-1")
    planner_model: str | None = _variable("NANOBANANAS_PLANNER_MODEL", None)
    planner_base_url: str | None = _variable("NANOBANANAS_PLANNER_BASE_URL", None)
    planner_api_key: str | None = _variable("NANOBANANAS_PLANNER_API_KEY", None)
    provider_timeout_seconds: int = _variable("NANOBANANAS_PROVIDER_TIMEOUT_SECONDS", 120)
    provider_retries: int = _variable("NANOBANANAS_PROVIDER_RETRIES", 3)
    master_key: str | None = _variable("NANOBANANAS_MASTER_KEY", None)
    max_upload_bytes: int = _variable("NANOBANANAS_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
    text_retention_days: int = _variable("NANOBANANAS_TEXT_RETENTION_DAYS", 365)
    upload_megapixels_per_request: int = _variable("NANOBANANAS_UPLOAD_MEGAPIXELS_PER_REQUEST", 100)
    upload_megapixels_per_hour: int = _variable("NANOBANANAS_UPLOAD_MEGAPIXELS_PER_HOUR", 500)
    job_megapixels: int = _variable("NANOBANANAS_JOB_MEGAPIXELS", 50)
    worker_recycle_mb: int = _variable("NANOBANANAS_WORKER_RECYCLE_MB", 400)
    audit_retention_days: int = _variable("NANOBANANAS_AUDIT_RETENTION_DAYS", 3 * 365)
    closed_account_retention_days: int = _variable("NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS", 3 * 365)
    # S3-compatible blob storage when the bucket is set (see `s3`).
    s3_bucket: str | None = _variable("NANOBANANAS_S3_BUCKET", None)
    s3_endpoint_url: str | None = _variable("NANOBANANAS_S3_ENDPOINT_URL", None)
    s3_region: str | None = _variable("NANOBANANAS_S3_REGION", None)
    s3_access_key_id: str | None = _variable("NANOBANANAS_S3_ACCESS_KEY_ID", None)
    s3_secret_access_key: str | None = _variable("NANOBANANAS_S3_SECRET_ACCESS_KEY", None)
    s3_prefix: str | None = _variable("NANOBANANAS_S3_PREFIX", None)
    rate_limits: bool = _variable("NANOBANANAS_RATE_LIMITS", True)
    asset_url_seconds: int = _variable("NANOBANANAS_ASSET_URL_SECONDS", 3600)
    sweep_minutes: int = _variable("NANOBANANAS_SWEEP_MINUTES", 5)
    purge_batch: int = _variable("NANOBANANAS_PURGE_BATCH", 500)
    orphan_grace_hours: int = _variable("NANOBANANAS_ORPHAN_GRACE_HOURS", 6)
    smtp_url: str | None = _variable("NANOBANANAS_SMTP_URL", None)
    mail_from: str = _variable("NANOBANANAS_MAIL_FROM", "Nanobananas <no-reply@localhost>")
    operator_emails: list[str] = _variable("NANOBANANAS_OPERATOR_EMAIL", "")
    stripe_secret_key: str | None = _variable("NANOBANANAS_STRIPE_SECRET_KEY", None)
    stripe_webhook_secret: str | None = _variable("NANOBANANAS_STRIPE_WEBHOOK_SECRET", None)
    stripe_price_pro: str | None = _variable("NANOBANANAS_STRIPE_PRICE_PRO", None)
    # After the Stripe key: billing is Stripe by default when its key is set.
    billing_provider: str = _variable("NANOBANANAS_BILLING_PROVIDER", "")
    admin_otp: bool = _variable("NANOBANANAS_ADMIN_OTP", False)
    moderation_throttle_blocks: int = _variable("NANOBANANAS_MODERATION_THROTTLE_BLOCKS", 5)
    moderation_throttle_minutes: int = _variable("NANOBANANAS_MODERATION_THROTTLE_MINUTES", 60)
    moderation_hash_distance: int = _variable("NANOBANANAS_MODERATION_HASH_DISTANCE", 10)
    review_retention_days: int = _variable("NANOBANANAS_REVIEW_RETENTION_DAYS", 365)
    analytics_raw_days: int = _variable("NANOBANANAS_ANALYTICS_RAW_DAYS", 90)
    moderation_url: str | None = _variable("NANOBANANAS_MODERATION_URL", None)
    moderation_api_key: str | None = _variable("NANOBANANAS_MODERATION_API_KEY", None)
    moderation_model: str = _variable("NANOBANANAS_MODERATION_MODEL", "omni-moderation-latest")
    moderation_appeal_contact: str = _variable("NANOBANANAS_MODERATION_APPEAL_CONTACT", "")

    @classmethod
    def _name(cls, info: ValidationInfo) -> str:
        return str(cls.model_fields[str(info.field_name)].validation_alias)

    @classmethod
    def _default(cls, info: ValidationInfo) -> Any:
        return cls.model_fields[str(info.field_name)].default

    @field_validator("*", mode="before")
    @classmethod
    def _raw(cls, value: Any, info: ValidationInfo) -> Any:
        """A variable's text as the hand-written reader took it (see the module docstring)."""
        if not isinstance(value, str):
            return value  # a default
        kind = cls.model_fields[str(info.field_name)].annotation
        if kind is bool:
            return cls._flag(value, info)
        if kind is int:
            return cls._integer(value, info)
        if kind == list[str]:
            return [item.strip() for item in value.split(",") if item.strip()]
        return cls._default(info) if value == "" else value

    @classmethod
    def _integer(cls, value: str, info: ValidationInfo) -> int:
        if value.strip() == "":
            return int(cls._default(info))
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{cls._name(info)} must be an integer; got {value!r}") from None

    @classmethod
    def _flag(cls, value: str, info: ValidationInfo) -> bool:
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"{cls._name(info)} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")

    @field_validator("home", mode="after")
    @classmethod
    def _home_prepared(cls, value: Path) -> Path:
        return data_dir_prepare(value.expanduser().resolve())

    @field_validator("secret_key", mode="after")
    @classmethod
    def _secret_key_kept(cls, value: str, info: ValidationInfo) -> str:
        if value or "home" not in info.data:
            return value
        return _secret_key(info.data["home"])

    @field_validator("smtp_url", mode="after")
    @classmethod
    def _smtp_scheme_known(cls, value: str | None) -> str | None:
        if value is not None and (scheme := urlparse(value).scheme) not in {"smtp", "smtp+tls", "smtps"}:
            raise ValueError(f"NANOBANANAS_SMTP_URL must start with smtp://, smtp+tls:// or smtps://; got {scheme!r}")
        return value

    @field_validator("image_provider", mode="after")
    @classmethod
    def _image_provider_default(cls, value: str, info: ValidationInfo) -> str:
        return value or ("gemini" if info.data.get("gemini_api_key") else "builtin")

    @field_validator("billing_provider", mode="after")
    @classmethod
    def _billing_provider_default(cls, value: str, info: ValidationInfo) -> str:
        return value or ("stripe" if info.data.get("stripe_secret_key") else "offline")

    @property
    def s3(self) -> dict[str, str] | None:
        """S3-compatible blob storage options, when NANOBANANAS_S3_BUCKET is set (credentials may also come
        from the usual AWS environment or instance role)."""
        if not self.s3_bucket:
            return None
        options = {
            "endpoint_url": self.s3_endpoint_url,
            "region_name": self.s3_region,
            "access_key": self.s3_access_key_id,
            "secret_key": self.s3_secret_access_key,
            "location": self.s3_prefix,
        }
        return {"bucket_name": self.s3_bucket, **{key: value for key, value in options.items() if value}}


def read_environment() -> Environment:
    """The configuration from the environment now; a bad value is a `ValueError` naming its variable."""
    try:
        return Environment()
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        raise ValueError(str(cause) if cause is not None else f"{first['loc'][0]}: {first['msg']}") from None
