"""A combine of four 49 MP pictures on a plan that loads pictures whole stays within the worker's bound.

Issue 23's last gap: the Pro plan lets a picture be loaded at up to 8192 pixels a side, so before the job
pixel budget a combine of several 49 MP uploads decoded every one of them in full (196 MP here). The plan
rows are data: here the guest plan is given Pro's resolution before the server starts, and the upload
limits are raised so that four such pictures fit in one message; only the job's budget
(NANOBANANAS_JOB_MEGAPIXELS, default 50) stands between them and the worker's memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from tests.hostile_load import Client, MemoryWatch, solid_png
from tests.live_server import Server, server_environment, start_server

WORKER_BOUND_MB = 1024
LIMITS = {"NANOBANANAS_UPLOAD_MEGAPIXELS_PER_REQUEST": "250", "NANOBANANAS_UPLOAD_MEGAPIXELS_PER_HOUR": "1000"}

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")

_PRO_SIZED_GUESTS = """
import django; django.setup()
from nanobananas.accounts.models import Plan
assert Plan.objects.filter(code=Plan.GUEST).update(max_resolution=Plan.objects.get(code=Plan.PRO).max_resolution) == 1
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory(prefix="nanobananas-pro-combine-") as home:
        env = {**server_environment(Path(home)), **LIMITS, "DJANGO_SETTINGS_MODULE": "nanobananas.config.settings"}
        subprocess.run([sys.executable, "-m", "nanobananas.cli", "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", _PRO_SIZED_GUESTS], env=env, check=True, capture_output=True)
        started = start_server(Path(home), extra_env=LIMITS)
        try:
            yield started
        finally:
            started.stop()


def test_four_49mp_pictures_combined_at_pro_resolution_stay_within_the_worker_bound(server: Server) -> None:
    big = solid_png(7000, 7000)
    guest = Client(server)
    conversation = guest.conversation()
    with MemoryWatch(server) as watch:
        watch.reset()
        sent = guest.upload(conversation, "put them in a grid", [(f"{i}.png", big) for i in range(4)])
        assert sent.status == 202, sent.body
        assert guest.wait_job(str(cast(dict[str, object], sent.body["job"])["id"])) == "done"
        watch.sample()
        _, worker = watch.peaks_mb
    assert worker < WORKER_BOUND_MB, f"worker process peaked at {worker:.0f} MB"
    versions = cast(
        list[dict[str, object]], guest.json("GET", f"/api/v1/conversations/{conversation}").body["versions"]
    )
    # Each input loaded at 12.5 MP (3535 a side) instead of 49: a 2x2 grid of them, about 7070 a side.
    [version] = versions
    assert version["operation"] == "combine"
    assert 6900 <= cast(int, version["width"]) <= 7200
