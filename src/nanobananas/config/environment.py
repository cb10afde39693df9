"""The one place that reads the process environment; everything else reads settings."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from nanobananas.config.datadir import data_dir_prepare

__all__ = ["Environment", "read_environment"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Environment:
    """Deployment configuration taken from `NANOBANANAS_*` variables."""

    home: Path
    database_url: str | None
    redis_url: str | None
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    max_prompt_chars: int
    worker_stale_seconds: int
    events_recheck_seconds: int
    https: bool
    proxy_ssl_header: str | None
    trusted_proxies: list[str]
    csrf_trusted_origins: list[str]
    image_provider: str
    planner: str
    gemini_api_key: str | None
    gemini_base_url: str | None
    gemini_image_model: str
    gemini_video_model: str
    gemini_text_model: str
    openai_api_key: str | None
    openai_base_url: str | None
    openai_image_model: str
    planner_model: str | None
    planner_base_url: str | None
    planner_api_key: str | None
    provider_timeout_seconds: int
    provider_retries: int
    master_key: str | None
    max_upload_bytes: int
    text_retention_days: int
    audit_retention_days: int
    upload_megapixels_per_request: int
    upload_megapixels_per_hour: int
    job_megapixels: int
    worker_recycle_mb: int
    closed_account_retention_days: int
    s3: dict[str, str] | None
    rate_limits: bool
    asset_url_seconds: int
    sweep_minutes: int
    purge_batch: int
    orphan_grace_hours: int
    smtp_url: str | None
    mail_from: str
    operator_emails: list[str]
    billing_provider: str
    stripe_secret_key: str | None
    stripe_webhook_secret: str | None
    stripe_price_pro: str | None
    admin_otp: bool
    moderation_throttle_blocks: int
    moderation_throttle_minutes: int
    moderation_hash_distance: int
    review_retention_days: int
    analytics_raw_days: int
    moderation_url: str | None
    moderation_api_key: str | None
    moderation_model: str
    moderation_appeal_contact: str


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer; got {raw!r}") from None


def _secret_key(home: Path) -> str:
    """Use NANOBANANAS_SECRET_KEY, else a key generated once and kept in the data dir (mode 0600)."""
    configured = os.environ.get("NANOBANANAS_SECRET_KEY")
    if configured:
        return configured
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


def _s3() -> dict[str, str] | None:
    """S3-compatible blob storage, when NANOBANANAS_S3_BUCKET is set (credentials may also come from
    the usual AWS environment or instance role)."""
    bucket = os.environ.get("NANOBANANAS_S3_BUCKET")
    if not bucket:
        return None
    names = {
        "endpoint_url": "NANOBANANAS_S3_ENDPOINT_URL",
        "region_name": "NANOBANANAS_S3_REGION",
        "access_key": "NANOBANANAS_S3_ACCESS_KEY_ID",
        "secret_key": "NANOBANANAS_S3_SECRET_ACCESS_KEY",
        "location": "NANOBANANAS_S3_PREFIX",
    }
    options = {"bucket_name": bucket}
    options.update({key: os.environ[name] for key, name in names.items() if os.environ.get(name)})
    return options


def read_environment() -> Environment:
    home = data_dir_prepare(Path(os.environ.get("NANOBANANAS_HOME") or "./var").expanduser().resolve())
    hosts = os.environ.get("NANOBANANAS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    return Environment(
        home=home,
        database_url=os.environ.get("NANOBANANAS_DATABASE_URL") or None,
        redis_url=os.environ.get("NANOBANANAS_REDIS_URL") or None,
        secret_key=_secret_key(home),
        debug=_flag("NANOBANANAS_DEBUG", False),
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        max_prompt_chars=_int("NANOBANANAS_MAX_PROMPT_CHARS", 4000),
        worker_stale_seconds=_int("NANOBANANAS_WORKER_STALE_SECONDS", 15),
        events_recheck_seconds=_int("NANOBANANAS_EVENTS_RECHECK_SECONDS", 5),
        https=_flag("NANOBANANAS_HTTPS", False),
        proxy_ssl_header=os.environ.get("NANOBANANAS_PROXY_SSL_HEADER") or None,
        trusted_proxies=[
            p.strip() for p in os.environ.get("NANOBANANAS_TRUSTED_PROXIES", "").split(",") if p.strip()
        ],
        csrf_trusted_origins=[
            o.strip() for o in os.environ.get("NANOBANANAS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
        ],
        image_provider=os.environ.get("NANOBANANAS_IMAGE_PROVIDER")
        or ("gemini" if os.environ.get("NANOBANANAS_GEMINI_API_KEY") else "builtin"),
        planner=os.environ.get("NANOBANANAS_PLANNER") or "builtin",
        gemini_api_key=os.environ.get("NANOBANANAS_GEMINI_API_KEY") or None,
        gemini_base_url=os.environ.get("NANOBANANAS_GEMINI_BASE_URL") or None,
        gemini_image_model=os.environ.get("NANOBANANAS_GEMINI_IMAGE_MODEL") or "gemini-2.5-flash-image",
        gemini_video_model=os.environ.get("NANOBANANAS_GEMINI_VIDEO_MODEL") or "veo-3.0-fast-generate-001",
        gemini_text_model=os.environ.get("NANOBANANAS_GEMINI_TEXT_MODEL") or "gemini-2.5-flash",
        openai_api_key=os.environ.get("NANOBANANAS_OPENAI_API_KEY") or None,
        openai_base_url=os.environ.get("NANOBANANAS_OPENAI_BASE_URL") or None,
        openai_image_model=os.environ.get("NANOBANANAS_OPENAI_IMAGE_MODEL") or "gpt-image-1",
        planner_model=os.environ.get("NANOBANANAS_PLANNER_MODEL") or None,
        planner_base_url=os.environ.get("NANOBANANAS_PLANNER_BASE_URL") or None,
        planner_api_key=os.environ.get("NANOBANANAS_PLANNER_API_KEY") or None,
        provider_timeout_seconds=_int("NANOBANANAS_PROVIDER_TIMEOUT_SECONDS", 120),
        provider_retries=_int("NANOBANANAS_PROVIDER_RETRIES", 3),
        master_key=os.environ.get("NANOBANANAS_MASTER_KEY") or None,
        max_upload_bytes=_int("NANOBANANAS_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        text_retention_days=_int("NANOBANANAS_TEXT_RETENTION_DAYS", 365),
        upload_megapixels_per_request=_int("NANOBANANAS_UPLOAD_MEGAPIXELS_PER_REQUEST", 100),
        upload_megapixels_per_hour=_int("NANOBANANAS_UPLOAD_MEGAPIXELS_PER_HOUR", 500),
        job_megapixels=_int("NANOBANANAS_JOB_MEGAPIXELS", 50),
        worker_recycle_mb=_int("NANOBANANAS_WORKER_RECYCLE_MB", 400),
        audit_retention_days=_int("NANOBANANAS_AUDIT_RETENTION_DAYS", 3 * 365),
        closed_account_retention_days=_int("NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS", 3 * 365),
        s3=_s3(),
        rate_limits=_flag("NANOBANANAS_RATE_LIMITS", True),
        asset_url_seconds=_int("NANOBANANAS_ASSET_URL_SECONDS", 3600),
        sweep_minutes=_int("NANOBANANAS_SWEEP_MINUTES", 5),
        purge_batch=_int("NANOBANANAS_PURGE_BATCH", 500),
        orphan_grace_hours=_int("NANOBANANAS_ORPHAN_GRACE_HOURS", 6),
        smtp_url=os.environ.get("NANOBANANAS_SMTP_URL") or None,
        mail_from=os.environ.get("NANOBANANAS_MAIL_FROM") or "Nanobananas <no-reply@localhost>",
        operator_emails=[a.strip() for a in os.environ.get("NANOBANANAS_OPERATOR_EMAIL", "").split(",") if a.strip()],
        billing_provider=os.environ.get("NANOBANANAS_BILLING_PROVIDER")
        or ("stripe" if os.environ.get("NANOBANANAS_STRIPE_SECRET_KEY") else "offline"),
        stripe_secret_key=os.environ.get("NANOBANANAS_STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=os.environ.get("NANOBANANAS_STRIPE_WEBHOOK_SECRET") or None,
        stripe_price_pro=os.environ.get("NANOBANANAS_STRIPE_PRICE_PRO") or None,
        admin_otp=_flag("NANOBANANAS_ADMIN_OTP", False),
        moderation_throttle_blocks=_int("NANOBANANAS_MODERATION_THROTTLE_BLOCKS", 5),
        moderation_throttle_minutes=_int("NANOBANANAS_MODERATION_THROTTLE_MINUTES", 60),
        moderation_hash_distance=_int("NANOBANANAS_MODERATION_HASH_DISTANCE", 10),
        review_retention_days=_int("NANOBANANAS_REVIEW_RETENTION_DAYS", 365),
        analytics_raw_days=_int("NANOBANANAS_ANALYTICS_RAW_DAYS", 90),
        moderation_url=os.environ.get("NANOBANANAS_MODERATION_URL") or None,
        moderation_api_key=os.environ.get("NANOBANANAS_MODERATION_API_KEY") or None,
        moderation_model=os.environ.get("NANOBANANAS_MODERATION_MODEL") or "omni-moderation-latest",
        moderation_appeal_contact=os.environ.get("NANOBANANAS_MODERATION_APPEAL_CONTACT") or "",
    )
