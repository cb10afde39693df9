"""Django settings for every runtime shape; values come from `config.environment` only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import dj_database_url

from nanobananas.config.environment import read_environment

ENV = read_environment()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.home

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    # The admin site with staff checks (optional TOTP, audited views of user content).
    "nanobananas.core.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "csp",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "nanobananas.core",
    "nanobananas.accounts",
    "nanobananas.studio",
    "nanobananas.vault",
    "nanobananas.billing",
    "nanobananas.privacy",
    "nanobananas.tokens",
    "nanobananas.audit",
    "nanobananas.policies",
    "nanobananas.moderation",
    "nanobananas.analytics",
    "nanobananas.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "nanobananas.core.middleware.PermissionsPolicyMiddleware",
    "nanobananas.core.middleware.PrivateApiNoStoreMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language (Accept-Language) among LANGUAGES, for the pages.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks a user verified by a one-time password (NANOBANANAS_ADMIN_OTP).
    "django_otp.middleware.OTPMiddleware",
    # After authentication (it counts per user or guest): every POST/PUT/PATCH/DELETE has a rate limit.
    "nanobananas.accounts.middleware.WriteRateLimitMiddleware",
    "nanobananas.studio.sealing.TextKeyMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: the new-policy banner, and continued use recorded as acceptance.
    "nanobananas.policies.banner.PolicyNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nanobananas.config.urls"
ASGI_APPLICATION = "nanobananas.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite pragmas run on every new connection: WAL for concurrent readers, secure_delete so
# deleted rows are overwritten in the file, foreign keys enforced, and a busy timeout so a
# writer waits for the worker's write instead of failing at once.
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA secure_delete=ON;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=10000;"
    "PRAGMA synchronous=NORMAL;"
)

DATABASES: dict[str, dict[str, Any]]
if ENV.database_url:
    # A pool per process, not a connection kept per thread (CONN_MAX_AGE): under ASGI a request may run in a
    # thread of its own, and each such thread kept its connection after the request; 50 visitors on two web
    # processes used up PostgreSQL's 100 connections. The pool bounds a process at NANOBANANAS_DATABASE_POOL_SIZE
    # and hands a connection back when the request (or the job) closes it.
    _database: dict[str, Any] = dict(dj_database_url.parse(ENV.database_url, conn_max_age=0))
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "pool": {"min_size": 1, "max_size": ENV.database_pool_size, "timeout": 10},
    }
    DATABASES = {"default": _database}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "nanobananas.sqlite3",
            "OPTIONS": {
                "init_command": SQLITE_INIT_COMMAND,
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
            },
        }
    }

# A whole message (text plus pictures) may be this large; bigger requests are refused before parsing.
MAX_REQUEST_BYTES = ENV.max_upload_bytes * 4 + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Jobs: huey on SQLite in the data dir by default, Redis when configured.
HUEY: dict[str, Any] = {
    "name": "nanobananas",
    "immediate": False,
    "results": False,
    "utc": True,
    # Poll an idle SQLite queue every 0.2 s at most (huey's default backs off to 10 s, which a
    # person waiting for an image would notice); a poll is one indexed read. Redis blocks instead.
    "consumer": {
        "workers": 2,
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
        "initial_delay": 0.05,
        "backoff": 1.2,
        "max_delay": 0.2,
    },
}
if ENV.redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": ENV.redis_url, "blocking": True, "read_timeout": 2})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")})

# Every blob is encrypted by the vault (AES-256-GCM, per-owner data keys) before it reaches the inner
# storage: a local folder (files 0600, folders 0700), or an S3-compatible bucket when configured.
_BLOBS: dict[str, Any] = {"location": str(DATA_DIR / "blobs")}
if ENV.s3 is not None:
    # Names are exact (a retried job rewrites its own blob); objects stay private.
    _s3_options = {**ENV.s3, "file_overwrite": True, "default_acl": None, "querystring_auth": True}
    # S3BlobStorage: in a versioned bucket a delete removes every version (read at start-up).
    _BLOBS = {"inner": {"BACKEND": "nanobananas.vault.s3.S3BlobStorage", "OPTIONS": _s3_options}}
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "nanobananas.vault.storage.EncryptedStorage", "OPTIONS": _BLOBS},
    # Hashed names (app.3f2a9c1b.css) with gzip copies, written by `collectstatic` (which `nanobananas serve`
    # runs before it starts): servestatic serves them with a one-year immutable Cache-Control.
    # Owner-only like everything else in the data dir (Django would chmod each copy to 0644).
    "staticfiles": {
        "BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# With DEBUG, files come straight from the packages under their plain names, re-read when they change.
SERVESTATIC_USE_FINDERS = DEBUG
SERVESTATIC_AUTOREFRESH = DEBUG

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "nanobananas.accounts.backends.EmailOrUsernameBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "me"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: 5 failures lock the account (by any of its names) from that client address, and 20
# failures on any accounts lock the address, for 15 minutes; the cool-off restarts on a failure while locked.
# A stranger's failures never lock the owner out from another address. A success resets the pair's count.
# The address is REMOTE_ADDR, taken from a proxy's X-Forwarded-For only when NANOBANANAS_TRUSTED_PROXIES
# names that proxy (`nanobananas serve`).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "nanobananas.accounts.lockout.AddressLockoutHandler"
SIGN_IN_ADDRESS_FAILURE_LIMIT = 20
AXES_USERNAME_CALLABLE = "nanobananas.accounts.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "nanobananas.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Database sessions (Django's, with a user and device column) so a user can list and end them;
# a guest's id lives in the same session row.
SESSION_ENGINE = "nanobananas.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
# NANOBANANAS_HTTPS: the site is reached over HTTPS (`serve --tls`, or a TLS proxy in front). Then
# cookies are Secure, plain HTTP is redirected and browsers are told to use HTTPS only (HSTS).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = ENV.https
if ENV.https:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if ENV.proxy_ssl_header:
    # e.g. "X-Forwarded-Proto": trust the proxy's header saying the original request was HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + ENV.proxy_ssl_header.upper().replace("-", "_"), "https")

# Content Security Policy: no inline scripts anywhere; styles may be inline for the API docs page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        # The AI Video page plays its live preview from a blob: URL.
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Mail: SMTP when NANOBANANAS_SMTP_URL is set (smtp://, smtp+tls:// for STARTTLS, smtps:// for TLS),
# otherwise every message is written as an .eml file into the data dir's mail/ folder.
DEFAULT_FROM_EMAIL = ENV.mail_from
SERVER_EMAIL = ENV.mail_from
# Who gets operator alerts (Django's mail_admins), e.g. a data export that keeps failing.
ADMINS = [("Operator", address) for address in ENV.operator_emails]
EMAIL_SUBJECT_PREFIX = "[Nanobananas] "
EMAIL_TIMEOUT = 20
if ENV.smtp_url:
    _smtp = urlparse(ENV.smtp_url)  # its scheme is checked by config.environment
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[_smtp.scheme]
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_TLS = _smtp.scheme == "smtp+tls"
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
else:
    EMAIL_BACKEND = "nanobananas.accounts.mail.EmlFolderBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

LANGUAGE_CODE = "en-us"
# Pages and messages are marked for translation; a language is offered once its catalogue is in LOCALE_PATHS
# (`django-admin makemessages -l fr` then `compilemessages`, see docs/translation.md). Dates and numbers are
# formatted by Django's localisation for the active language.
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # `run_huey` attaches its own handler to the huey logger; not propagating avoids double lines.
    # PIL's debug lines quote an upload's metadata (EXIF descriptions, artist names): never below INFO.
    "loggers": {
        "huey": {"level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "PIL": {"level": "INFO"},
        # libvips reports every step of its work at INFO (twenty lines for one big upload).
        "pyvips": {"level": "WARNING"},
    },
}

NANOBANANAS: dict[str, Any] = {
    "MAX_PROMPT_CHARS": ENV.max_prompt_chars,
    "MAX_UPLOAD_BYTES": ENV.max_upload_bytes,
    # Pixels decoded for uploads, whatever their byte size (a one-colour 49 MP PNG is 150 KB): per request,
    # and per owner per hour. A worker process that is this big after a large job is replaced by a fresh one.
    "UPLOAD_MEGAPIXELS_PER_REQUEST": ENV.upload_megapixels_per_request,
    "UPLOAD_MEGAPIXELS_PER_HOUR": ENV.upload_megapixels_per_hour,
    # Pixels one job may decode, all its pictures together: a Pro combine of several 49 MP pictures loads
    # each one smaller so that they add up to this, and the worker stays within its memory bound.
    "JOB_MEGAPIXELS": ENV.job_megapixels,
    "WORKER_RECYCLE_MB": ENV.worker_recycle_mb,
    "WORKER_STALE_SECONDS": ENV.worker_stale_seconds,
    "TEXT_RETENTION_DAYS": ENV.text_retention_days,
    "AUDIT_RETENTION_DAYS": ENV.audit_retention_days,
    "CLOSED_ACCOUNT_RETENTION_DAYS": ENV.closed_account_retention_days,
    "RATE_LIMITS": ENV.rate_limits,
    "ASSET_URL_SECONDS": ENV.asset_url_seconds,
    "SWEEP_MINUTES": ENV.sweep_minutes,
    "PURGE_BATCH": ENV.purge_batch,
    "ORPHAN_GRACE_HOURS": ENV.orphan_grace_hours,
    "ADMIN_OTP": ENV.admin_otp,
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For names the client; none by default, so
    # the address counted by sign-in locks and rate limits is the connecting one and cannot be chosen by a client.
    "TRUSTED_PROXIES": ENV.trusted_proxies,
}

# Payments: the offline test-mode provider unless Stripe is configured (or NANOBANANAS_BILLING_PROVIDER says).
PAYMENT_PROVIDERS: dict[str, dict[str, Any]] = {
    "offline": {"BACKEND": "nanobananas.billing.providers.offline.OfflineProvider", "OPTIONS": {}},
}
if ENV.stripe_secret_key:
    PAYMENT_PROVIDERS["stripe"] = {
        "BACKEND": "nanobananas.billing.providers.stripe.StripeProvider",
        "OPTIONS": {
            "secret_key": ENV.stripe_secret_key,
            "webhook_secret": ENV.stripe_webhook_secret or "",
            "price_pro": ENV.stripe_price_pro or "",
        },
    }
# Job progress reaches every web process through Redis pub/sub when Redis is configured (core/events.py);
# a stream still re-reads its job this often in case a notice was lost.
NANOBANANAS["REDIS_URL"] = ENV.redis_url
NANOBANANAS["EVENTS_RECHECK_SECONDS"] = ENV.events_recheck_seconds
NANOBANANAS["PAYMENT_PROVIDER"] = ENV.billing_provider

# AI providers: the built-in engine always; Gemini and OpenAI when their keys are set. The image provider
# defaults to Gemini when its key is set (NANOBANANAS_IMAGE_PROVIDER says otherwise).
_PROVIDER_LIMITS = {"timeout": ENV.provider_timeout_seconds, "retries": ENV.provider_retries}
AI_PROVIDERS: dict[str, dict[str, Any]] = {
    "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
}
if ENV.gemini_api_key:
    AI_PROVIDERS["gemini"] = {
        "BACKEND": "nanobananas.providers.gemini.GeminiProvider",
        "OPTIONS": {
            "api_key": ENV.gemini_api_key,
            "base_url": ENV.gemini_base_url,
            "model": ENV.gemini_image_model,
            "video_model": ENV.gemini_video_model,
            **_PROVIDER_LIMITS,
        },
    }
if ENV.openai_api_key:
    AI_PROVIDERS["openai"] = {
        "BACKEND": "nanobananas.providers.openai_images.OpenAIImageProvider",
        "OPTIONS": {
            "api_key": ENV.openai_api_key,
            "base_url": ENV.openai_base_url,
            "model": ENV.openai_image_model,
            **_PROVIDER_LIMITS,
        },
    }
NANOBANANAS["IMAGE_PROVIDER"] = ENV.image_provider

# Planners: the built-in English planner, or an LLM through tool calling (falls back to built-in).
# "openai" is any OpenAI-compatible chat endpoint (OpenAI, llama.cpp, vLLM, Ollama).
PLANNERS: dict[str, dict[str, Any]] = {
    "builtin": {"BACKEND": "nanobananas.providers.planning.BuiltinPlanner", "OPTIONS": {}},
}
if ENV.planner_api_key or ENV.planner_base_url or ENV.openai_api_key:
    PLANNERS["openai"] = {
        "BACKEND": "nanobananas.providers.llm_planner.OpenAIChatPlanner",
        "OPTIONS": {
            "api_key": ENV.planner_api_key or ENV.openai_api_key or "not-needed",
            "base_url": ENV.planner_base_url or ENV.openai_base_url,
            "model": ENV.planner_model or "gpt-4.1-mini",
            **_PROVIDER_LIMITS,
        },
    }
if ENV.gemini_api_key:
    PLANNERS["gemini"] = {
        "BACKEND": "nanobananas.providers.llm_planner.GeminiPlanner",
        "OPTIONS": {
            "api_key": ENV.gemini_api_key,
            "base_url": ENV.gemini_base_url,
            "model": ENV.planner_model or ENV.gemini_text_model,
            **_PROVIDER_LIMITS,
        },
    }
NANOBANANAS["PLANNER"] = ENV.planner

# The vault's master key (key-encryption key): base64 of 32 bytes from NANOBANANAS_MASTER_KEY, else a
# key file generated in the data dir with mode 0600 (back it up separately from the data).
VAULT: dict[str, Any] = {
    "MASTER_KEY": ENV.master_key,
    "MASTER_KEY_FILE": DATA_DIR / "master.key",
}

# Content review: the checks every prompt and image passes (dotted paths, run in order), the throttle
# after repeated blocks, the perceptual-hash distance for known images, and the optional moderation
# endpoint (any OpenAI-compatible POST /v1/moderations).
MODERATION_CHECKS: list[Any] = [
    "nanobananas.moderation.checks.TermListCheck",
    "nanobananas.moderation.checks.BlocklistCheck",
    "nanobananas.moderation.checks.PersonalDataCheck",
    "nanobananas.moderation.checks.KnownImageCheck",
]
if ENV.moderation_url:
    MODERATION_CHECKS.append(
        {
            "NAME": "nanobananas.moderation.checks.ModerationEndpointCheck",
            "OPTIONS": {
                "base_url": ENV.moderation_url,
                "api_key": ENV.moderation_api_key or "",
                "model": ENV.moderation_model,
                "timeout": ENV.provider_timeout_seconds,
            },
        }
    )
NANOBANANAS["MODERATION_THROTTLE_BLOCKS"] = ENV.moderation_throttle_blocks
NANOBANANAS["MODERATION_THROTTLE_MINUTES"] = ENV.moderation_throttle_minutes
NANOBANANAS["MODERATION_HASH_DISTANCE"] = ENV.moderation_hash_distance
NANOBANANAS["REVIEW_RETENTION_DAYS"] = ENV.review_retention_days
NANOBANANAS["ANALYTICS_RAW_DAYS"] = ENV.analytics_raw_days
NANOBANANAS["MODERATION_APPEAL_CONTACT"] = ENV.moderation_appeal_contact
