"""Settings of a real server whose image provider takes a few seconds: long enough to kill a worker mid-job."""

from nanobananas.config.settings import *  # noqa: F403
from nanobananas.config.settings import AI_PROVIDERS, DATA_DIR, HUEY, NANOBANANAS

PROVIDER_SECONDS = 3

# New dicts, never the imported ones changed in place: a test that imports this module (for PROVIDER_SECONDS)
# would otherwise make the test process's own fake provider sleep in every later test.
AI_PROVIDERS = {
    **AI_PROVIDERS,
    "fake": {"BACKEND": "nanobananas.providers.fake.FakeProvider", "OPTIONS": {"sleep_seconds": PROVIDER_SECONDS}},
}
NANOBANANAS = {**NANOBANANAS, "IMAGE_PROVIDER": "fake"}
# One queue per server (named after its data dir): a Redis database shared by test runs holds no other run's tasks.
HUEY = {**HUEY, "name": f"nanobananas-{DATA_DIR.name}"}
