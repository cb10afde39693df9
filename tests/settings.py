"""Settings for the test suite: a throwaway data dir, the fake provider, fast hashing.

NANOBANANAS_TEST_DATABASE=postgresql runs the same tests on the local PostgreSQL server.
"""

import os
import tempfile

os.environ["NANOBANANAS_HOME"] = tempfile.mkdtemp(prefix="nanobananas-test-")
os.environ.pop("NANOBANANAS_DATABASE_URL", None)
os.environ.pop("NANOBANANAS_REDIS_URL", None)
os.environ.pop("NANOBANANAS_S3_BUCKET", None)

from nanobananas.config.settings import *  # noqa: F403
from nanobananas.config.settings import AI_PROVIDERS, HUEY, NANOBANANAS, STORAGES

TEST_DATABASE = os.environ.get("NANOBANANAS_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("NANOBANANAS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/nanobananas")
REDIS_URL = os.environ.get("NANOBANANAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

if TEST_DATABASE == "postgresql":
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(POSTGRES_URL)}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY["immediate"] = True
AI_PROVIDERS["fake"] = {"BACKEND": "nanobananas.providers.fake.FakeProvider", "OPTIONS": {}}
NANOBANANAS["IMAGE_PROVIDER"] = "fake"
# Pages rendered in-process name static files plainly: no collectstatic per run. The served, hashed names are
# checked by tests/web/test_static_files.py and tests/browser/test_page_weight.py against a real `serve`.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SERVESTATIC_USE_FINDERS = True
