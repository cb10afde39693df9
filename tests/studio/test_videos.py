"""studio/videos.py: a video job from pictures renders an MP4 sealed in the vault, within the plan's limits,
cancellable, retried on worker loss, and a refused request changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, Profile
from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.engine import video as engine_video
from nanobananas.studio import conversations, services, videos
from nanobananas.studio.jobs import RUN_JOB, VIDEO_JOB, _claim, job_holds, jobs_rescue_stale
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.videos import PlanLimit, job_cancel, video_create, video_spec_parse
from tests.conftest import blob_path
from tests.studio.videos_support import decode, run, stored, uploads

pytestmark = [pytest.mark.django_db, pytest.mark.database]

SMALL = {"seconds": 2, "width": 320, "height": 180, "fps": 24}


def _spec(motion: str = "zoom_in", **values: Any) -> Any:
    return video_spec_parse(motion=motion, parameters={**SMALL, **values})


def _counts() -> tuple[int, int, int]:
    return Job.objects.count(), Message.objects.count(), Asset.objects.filter(kind="video").count()


def test_a_zoom_from_an_upload_is_an_h264_mp4_video_asset_sealed_in_the_vault(
    guest_owner: Owner, conversation: Conversation
) -> None:
    [picture] = uploads(guest_owner, conversation, (200, 30, 30))
    job = video_create(
        owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec("zoom_in")
    )
    assert job.options == {
        "video": {"spec": _spec("zoom_in").model_dump(mode="json"), "inputs": [str(picture.id)], "generative": False}
    }
    assert job.request.text == "Make a 2 second zoom in video from 1 picture (320x180, 24 fps, MP4)."
    job = run(job)
    assert (job.status, job.progress, job.provider) == ("done", 100, "builtin")
    video = Asset.objects.get(job=job)
    assert (video.kind, video.number, video.operation, video.content_type) == ("video", 1, "animate", "video/mp4")
    assert (video.width, video.height, video.fps, video.length_ms) == (320, 180, 24, 2000)
    assert (video.inputs, video.parent_id) == ([str(picture.id)], picture.id)
    assert (video.provider, video.model) == ("builtin", "nanobananas-engine")
    assert video.blob_name == f"videos/{guest_owner.key}/{job.id}-1.mp4"
    assert video.expires_at == video.created_at + timedelta(hours=24)
    data = stored(video)
    assert video.byte_size == len(data)
    clip = decode(data)
    assert (clip.codec, clip.pix_fmt, clip.width, clip.height, clip.fps, clip.frames) == (
        "h264", "yuv420p", 320, 180, 24, 48
    )  # fmt: skip
    # +faststart: the index (moov) comes before the media data, so a browser plays while it downloads.
    assert data.index(b"moov") < data.index(b"mdat")
    # Sealed: the file on disk is ciphertext, not an MP4.
    raw = blob_path(video.blob_name).read_bytes()
    assert b"ftyp" not in raw
    assert b"moov" not in raw
    assert job.result is not None
    assert job.result.text == "Here is your 2 second zoom in video (320x180, 24 fps, video 1)."
    done = AuditEvent.objects.get(kind="generation.done", target_id=str(job.id))
    assert done.details["video_sha256"] == video.sha256
    assert done.details["frames_screened"] == 3


def test_a_slideshow_keeps_the_pictures_order_and_a_gif_loop_is_stored_as_a_gif(
    guest_owner: Owner, conversation: Conversation
) -> None:
    red, blue = uploads(guest_owner, conversation, (220, 0, 0), (0, 0, 220))
    job = run(
        video_create(
            owner=guest_owner,
            conversation_id=conversation.id,
            asset_ids=[red.id, blue.id],
            spec=_spec("slideshow", format="gif"),
        )
    )
    assert job.status == "done", job.error_message
    video = Asset.objects.get(job=job)
    assert (video.content_type, video.inputs) == ("image/gif", [str(red.id), str(blue.id)])
    assert video.blob_name.endswith(".gif")
    assert stored(video)[:6] == b"GIF89a"


def test_bad_requests_change_nothing(guest_owner: Owner, other_guest_owner: Owner, conversation: Conversation) -> None:
    [picture] = uploads(guest_owner, conversation, (10, 120, 10))
    theirs = conversation_for(other_guest_owner)
    [their_picture] = uploads(other_guest_owner, theirs, (1, 2, 3))
    before = _counts()
    with pytest.raises(InvalidInput) as wrong_count:
        video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec("wipe"))
    assert wrong_count.value.code == "bad_input"
    assert "exactly 2 pictures" in wrong_count.value.message
    with pytest.raises(NotFound):
        video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[their_picture.id], spec=_spec())
    with pytest.raises(NotFound):
        video_create(owner=guest_owner, conversation_id=theirs.id, asset_ids=[picture.id], spec=_spec())
    with pytest.raises(InvalidInput) as no_design:
        video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec("poster"))
    assert no_design.value.code == "no_design"
    with pytest.raises(InvalidInput) as odd:
        video_spec_parse(motion="zoom_in", parameters={"width": 321})
    assert odd.value.message == "parameters.width: Value error, must be an even number of pixels, not 321"
    with pytest.raises(InvalidInput) as unknown:
        video_spec_parse(motion="spin", parameters={})
    assert unknown.value.message.startswith("motion: ")
    with pytest.raises(InvalidInput) as long_loop:
        video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id],
                     spec=_spec(format="webp", seconds=6.5))  # fmt: skip
    assert long_loop.value.code == "too_long"
    assert _counts() == before


def conversation_for(owner: Owner) -> Conversation:
    return conversations.conversation_create(owner=owner)


def test_the_plan_limits_seconds_and_videos_a_day_and_refused_or_failed_renders_cost_nothing(
    guest_owner: Owner, conversation: Conversation
) -> None:
    # The Guest plan: 6 seconds of video and 2 videos a day.
    [picture] = uploads(guest_owner, conversation, (90, 90, 200))

    def make(seconds: float) -> Job:
        return video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id],
                            spec=_spec(seconds=seconds))  # fmt: skip

    first = make(4)
    before = _counts()
    with pytest.raises(QuotaExceeded) as too_long:
        make(3)
    assert too_long.value.message.startswith("A 3 second video is more than the 2 seconds of video left today")
    assert _counts() == before
    # A cancelled (failed) video gives its seconds back.
    job_cancel(owner=guest_owner, job_id=first.id)
    second = run(make(3))
    third = run(make(3))
    assert (second.status, third.status) == ("done", "done")
    with pytest.raises(QuotaExceeded) as count:
        make(2)
    assert count.value.message.startswith("You have made 2 videos today, the most the Guest plan allows a day.")
    assert count.value.resets_at.hour == 0


def test_1080p_needs_a_paid_plan(user_owner: Owner, conversation: Conversation) -> None:
    user_conversation = conversation_for(user_owner)
    [picture] = uploads(user_owner, user_conversation, (1, 100, 100))
    full_hd = video_spec_parse(motion="zoom_in", parameters={"size": "1080p", "seconds": 2})
    before = _counts()
    with pytest.raises(PlanLimit) as refused:
        video_create(owner=user_owner, conversation_id=user_conversation.id, asset_ids=[picture.id], spec=full_hd)
    assert (refused.value.status_code, refused.value.code) == (403, "needs_paid_plan")
    assert _counts() == before
    Profile.objects.update_or_create(user_id=user_owner.user_id, defaults={"plan": Plan.objects.get(code="pro")})
    job = video_create(owner=user_owner, conversation_id=user_conversation.id, asset_ids=[picture.id], spec=full_hd)
    assert job.options["video"]["spec"]["width"] == 1920


def test_a_cancelled_render_stops_and_stores_nothing(
    guest_owner: Owner, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    [picture] = uploads(guest_owner, conversation, (0, 150, 150))
    job = video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec())
    real_render = engine_video.render_video
    reported: list[str] = []

    def render_and_cancel(spec: Any, images: Any, out: Any, *, progress: Callable[[int, str], None], **kw: Any) -> Any:
        def cancelling(percent: int, stage: str) -> None:
            reported.append(stage)
            if len(reported) == 2:
                job_cancel(owner=guest_owner, job_id=job.id)
            progress(percent, stage)

        return real_render(spec, images, out, progress=cancelling, **kw)

    monkeypatch.setattr(engine_video, "render_video", render_and_cancel)
    job = run(job)
    assert (job.status, job.error_code, job.stage) == ("failed", "cancelled", "Cancelled")
    assert len(reported) <= 4  # stopped at the first check after the cancel, not at the end of the clip
    assert not Asset.objects.filter(kind="video").exists()
    assert not default_storage.exists(f"videos/{guest_owner.key}/{job.id}-1.mp4")
    with pytest.raises(Conflict):
        job_cancel(owner=guest_owner, job_id=job.id)


def test_videos_run_on_their_own_queue_and_a_lost_worker_s_render_is_retried_once(
    guest_owner: Owner,
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from nanobananas.registry import jobs

    [picture] = uploads(guest_owner, conversation, (200, 200, 0))
    queued: list[tuple[str, str]] = []
    monkeypatch.setitem(jobs._JOBS, VIDEO_JOB, lambda job_id: queued.append(("video", job_id)))
    monkeypatch.setitem(jobs._JOBS, RUN_JOB, lambda job_id: queued.append(("image", job_id)))
    with django_capture_on_commit_callbacks(execute=True):
        job = video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec())
    assert queued == [("video", str(job.id))]
    # A worker claims it and dies: the rescue hands it to the video queue again, and the next run makes it.
    assert _claim(job.id) == 1
    Job.objects.filter(id=job.id).update(heartbeat_at=job.queued_at - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_rescue_stale(stale_after=timedelta(seconds=30)) == [job.id]
    assert queued == [("video", str(job.id))] * 2
    job = run(job)
    assert (job.status, job.attempts) == ("done", 2)
    video = Asset.objects.get(job=job)
    assert video.blob_name.endswith(f"{job.id}-2.mp4")
    # The first attempt, waking up, stores nothing.
    assert not job_holds(job.id, 1)


def test_a_job_of_someone_else_cannot_be_cancelled(
    guest_owner: Owner, other_guest_owner: Owner, conversation: Conversation
) -> None:
    [picture] = uploads(guest_owner, conversation, (5, 5, 5))
    job = video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=_spec())
    with pytest.raises(NotFound):
        job_cancel(owner=other_guest_owner, job_id=job.id)
    job.refresh_from_db()
    assert job.status == "queued"
    with pytest.raises(NotFound):
        job_cancel(owner=guest_owner, job_id=uuid.uuid4())


def test_a_video_without_a_conversation_gets_its_own(guest_owner: Owner, conversation: Conversation) -> None:
    [picture] = uploads(guest_owner, conversation, (5, 99, 5))
    job = video_create(owner=guest_owner, asset_ids=[picture.id], spec=_spec())
    assert job.conversation_id != conversation.id
    assert job.conversation.title == "Video"
    assert run(job).status == "done"
    assert Asset.objects.get(job=job).conversation_id == job.conversation_id


def test_words_without_a_motion_are_planned_on_the_pictures(guest_owner: Owner, conversation: Conversation) -> None:
    red, blue = uploads(guest_owner, conversation, (220, 0, 0), (0, 0, 220))
    job = video_create(
        owner=guest_owner, conversation_id=conversation.id, asset_ids=[red.id, blue.id],
        prompt="a 4 second slideshow of these two, square",
    )  # fmt: skip
    spec = job.options["video"]["spec"]
    assert (spec["motion"], spec["seconds"], spec["width"], spec["height"]) == ("slideshow", 4.0, 720, 720)
    assert job.options["video"]["inputs"] == [str(red.id), str(blue.id)]
    before = _counts()
    with pytest.raises(InvalidInput) as silent:
        video_create(owner=guest_owner, conversation_id=conversation.id, asset_ids=[red.id],
                     prompt="a slow zoom with music")  # fmt: skip
    assert silent.value.code == "unplanned"
    assert "silent" in silent.value.message
    with pytest.raises(videos.ProviderUnavailable) as words_only:
        video_create(owner=guest_owner, conversation_id=conversation.id, prompt="a fox running through snow",
                     generative=True)  # fmt: skip
    assert words_only.value.message == videos.NEEDS_VIDEO_PROVIDER
    assert _counts() == before


def test_a_video_request_in_the_chat_becomes_a_video_job_on_the_conversation_s_pictures(
    user_owner: Owner,
) -> None:
    from nanobananas.accounts.models import QuotaUsage

    chat = conversation_for(user_owner)
    first, second, third = uploads(user_owner, chat, (200, 0, 0), (0, 200, 0), (0, 0, 200))
    _, job = services.message_send(
        owner=user_owner, conversation_id=chat.id, text="make a 6 second slideshow of my last three images"
    )
    assert job is not None
    spec = job.options["video"]["spec"]
    assert (spec["motion"], spec["seconds"]) == ("slideshow", 6.0)
    assert job.options["video"]["inputs"] == [str(first.id), str(second.id), str(third.id)]
    job = run(job)
    assert job.status == "done", job.error_message
    video = Asset.objects.get(job=job)
    assert (video.kind, video.content_type, video.length_ms, video.conversation_id) == (
        "video", "video/mp4", 6000, chat.id
    )  # fmt: skip
    # Counted as a video (by its job), not as an image.
    assert not QuotaUsage.objects.filter(owner_user_id=user_owner.user_id, kind="image", used__gt=0).exists()


def test_a_video_request_the_engine_cannot_make_gets_honest_help_and_costs_nothing(user_owner: Owner) -> None:
    chat = conversation_for(user_owner)
    uploads(user_owner, chat, (200, 100, 0))
    _, job = services.message_send(owner=user_owner, conversation_id=chat.id, text="make a video with music")
    assert job is not None
    job = run(job)
    assert job.status == "done"
    assert job.result is not None
    assert job.result.text.startswith("Videos made here are silent: there is no music, voice or sound track.")
    assert not Asset.objects.filter(kind="video").exists()
    # Nothing counted: the Free plan's 10 seconds are all still there.
    videos.video_limits_check(owner=user_owner, request=videos.VideoRequest(spec=_spec(seconds=10)))


def test_a_plain_edit_in_the_chat_is_still_an_image_edit(guest_owner: Owner, conversation: Conversation) -> None:
    uploads(guest_owner, conversation, (120, 120, 120))
    _, job = services.message_send(owner=guest_owner, conversation_id=conversation.id, text="make it black and white")
    assert job is not None
    assert "video" not in job.options


def test_an_animated_poster_is_made_from_a_poster_designed_here(guest_owner: Owner, conversation: Conversation) -> None:
    from django.conf import settings
    from django.test import override_settings

    with override_settings(NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "builtin"}):
        _, made = services.message_send(
            owner=guest_owner, conversation_id=conversation.id, text="a poster for a bakery grand opening"
        )
        assert made is not None
        assert run(made).status == "done"
    poster = Asset.objects.get(job=made)
    assert poster.plan
    job = run(
        video_create(
            owner=guest_owner, conversation_id=conversation.id, asset_ids=[poster.id], spec=_spec("poster", seconds=3)
        )
    )
    assert job.status == "done", job.error_message
    video = Asset.objects.get(job=job)
    assert (video.operation, video.inputs, video.length_ms) == ("animate", [str(poster.id)], 3000)
    clip = decode(stored(video))
    assert (clip.width, clip.height, clip.frames) == (320, 180, 72)
    # The title comes in: the first frame is not the finished poster of the last.
    assert clip.first.tobytes() != clip.last.tobytes()
