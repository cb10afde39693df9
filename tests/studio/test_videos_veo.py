"""Videos from words through Veo (the Gemini provider) against the local fake of its REST API: the operation is
polled with progress, the video stored with provider and model; a safety refusal and a time-out make nothing
and cost nothing; a plan without the provider, or no provider at all, is told so."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, Profile
from nanobananas.engine.video import VideoSpec, render_video
from nanobananas.studio import conversations, services, videos
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.videos import PlanLimit, video_create, video_limits_check, video_spec_parse
from tests.providers.gemini_server import API_KEY, GeminiServer
from tests.studio.videos_support import decode, run, stored

pytestmark = [pytest.mark.django_db, pytest.mark.database]

VIDEO_MODEL = "veo-3.0-fast-generate-001"
PROMPT = "a red fox running through fresh snow"


def _veo(server: GeminiServer, **options: Any) -> dict[str, Any]:
    return {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        "gemini": {
            "BACKEND": "nanobananas.providers.gemini.GeminiProvider",
            "OPTIONS": {"api_key": API_KEY, "base_url": server.url, "video_model": VIDEO_MODEL, "timeout": 10,
                        "retries": 0, "video_poll_seconds": 0.01, **options},
        },
    }  # fmt: skip


@pytest.fixture
def veo() -> Iterator[GeminiServer]:
    server = GeminiServer()
    server.start()
    try:
        with override_settings(
            AI_PROVIDERS=_veo(server), NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "gemini"}
        ):
            yield server
    finally:
        server.stop()


@pytest.fixture
def pro_owner(user_owner: Owner) -> Owner:
    Profile.objects.update_or_create(user_id=user_owner.user_id, defaults={"plan": Plan.objects.get(code="pro")})
    return user_owner


def _clip() -> bytes:
    """What the fake Veo hands back: a real 2 s 256x144 H.264 clip (made by our own engine)."""
    out = io.BytesIO()
    spec = VideoSpec(motion="zoom_in", seconds=2, width=256, height=144, fps=24)
    render_video(spec, [Image.new("RGB", (256, 144), (240, 240, 250))], out)
    return out.getvalue()


def _make(owner: Owner, **parameters: Any) -> Job:
    spec = video_spec_parse(motion=None, parameters={"seconds": 4, **parameters})
    return video_create(owner=owner, prompt=PROMPT, generative=True, spec=spec)


def test_a_video_from_words_is_polled_stored_and_says_who_made_it(veo: GeminiServer, pro_owner: Owner) -> None:
    clip = _clip()
    veo.script_video(video=clip, polls=3)
    job = _make(pro_owner)
    assert job.request.text == PROMPT
    job = run(job)
    assert (job.status, job.provider) == ("done", "gemini"), job.error_message
    video = Asset.objects.get(job=job)
    assert (video.kind, video.operation, video.provider, video.model) == ("video", "generate", "gemini", VIDEO_MODEL)
    assert (video.content_type, video.width, video.height, video.fps, video.length_ms) == (
        "video/mp4", 256, 144, 24, 2000
    )  # fmt: skip
    assert stored(video) == clip
    assert decode(stored(video)).frames == 48
    [started] = veo.calls(":predictLongRunning")
    assert started.json == {
        "instances": [{"prompt": PROMPT}], "parameters": {"aspectRatio": "16:9", "durationSeconds": 4}
    }  # fmt: skip
    # Followed until done (three reads still running, then the finished one), then downloaded.
    assert len([r for r in veo.requests if "/operations/" in r.path]) == 4
    assert video.sent["provider"] == "gemini"
    assert video.sent["model"] == VIDEO_MODEL
    assert video.sent["prompt_message_id"] == str(job.request_id)
    assert video.sent["input_asset_ids"] == []
    assert job.result is not None
    assert job.result.text == "Here is your video from Veo 3.0 Fast Generate 001 (256x144, 24 fps, video 1)."


def test_a_safety_refusal_makes_nothing_and_costs_nothing(veo: GeminiServer, pro_owner: Owner) -> None:
    veo.script_video(filtered_reasons=("The prompt could not be submitted.",), polls=1)
    job = run(_make(pro_owner, seconds=8))
    assert (job.status, job.error_code) == ("refused", "safety")
    assert job.error_message.startswith(
        "Veo 3.0 Fast Generate 001 did not return the video because it may go against its safety"
    )
    assert not Asset.objects.filter(kind="video").exists()
    # The Pro plan's 30 seconds a day are all still there.
    longest = video_spec_parse(motion="zoom_in", parameters={"seconds": 15})
    video_limits_check(owner=pro_owner, request=videos.VideoRequest(spec=longest))
    video_limits_check(owner=pro_owner, request=videos.VideoRequest(spec=longest, inputs=[]))


def test_a_time_out_fails_clearly_and_stores_nothing(veo: GeminiServer, pro_owner: Owner) -> None:
    veo.script_video(video=_clip(), polls=1000)
    with override_settings(AI_PROVIDERS=_veo(veo, video_max_wait_seconds=0.05)):
        job = run(_make(pro_owner))
    assert (job.status, job.error_code) == ("failed", "provider_error")
    assert job.error_message.startswith("Veo 3.0 Fast Generate 001 did not finish the video within")
    assert not Asset.objects.filter(kind="video").exists()


def test_a_plan_without_the_provider_is_told_so_and_nothing_is_sent(veo: GeminiServer, user_owner: Owner) -> None:
    jobs = Job.objects.count()
    with pytest.raises(PlanLimit) as refused:
        _make(user_owner)
    assert refused.value.code == "provider_not_in_plan"
    assert Job.objects.count() == jobs
    assert veo.requests == []


def test_a_chat_request_only_a_generative_model_can_make_goes_to_veo(veo: GeminiServer, pro_owner: Owner) -> None:
    veo.script_video(video=_clip(), polls=1)
    chat = conversations.conversation_create(owner=pro_owner)
    _, job = services.message_send(
        owner=pro_owner, conversation_id=chat.id, text="make a video of a fox running through the snow"
    )
    assert job is not None
    assert job.options["video"]["generative"] is True
    job = run(job)
    assert job.status == "done", job.error_message
    assert Asset.objects.get(job=job).provider == "gemini"
