"""Videos: a short clip from pictures (the engine's motions) or from words (a generative video provider).

A video is an Asset of kind `video` made by a Job whose `options["video"]` says what to make:

    {"spec": VideoSpec as JSON, or None for a generative clip from words,
     "inputs": ["<asset id>", ...],  # the pictures, in order
     "generative": bool,             # made by the provider's video model (Veo), not by the engine
     "refusal": str}                 # (chat only) the planner's honest help; the job answers with it

Such a job runs on the video queue (studio/video_tasks.py), under the same claim, lease and attempt fencing
as image jobs (jobs.job_run), so a lost worker's render is retried and a stale run stores nothing. The
render reports progress by frames and stops when the job is no longer its own (cancelled, or taken over).

Plan limits count the owner's video jobs of the UTC day that did not fail or get refused: at most
`daily_videos` videos (and `monthly_videos` a month) and `video_seconds` seconds of video a day; 1080p
(a short side above 720 px) on paid plans only. A refused or failed render therefore costs nothing, and a
retried one is counted once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.accounts.selectors import plan_for
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import Conflict, DomainError, InvalidInput
from nanobananas.core.text import clean_text
from nanobananas.privacy.retention import retention_deadline, text_deadline
from nanobananas.providers.base import ProviderError, ProviderRefused
from nanobananas.providers.labels import model_label
from nanobananas.providers.routing import providers_for
from nanobananas.registry.screening import content_screen
from nanobananas.studio import blobs, conversations, jobs, outcomes, owners
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.selectors import asset_get, conversation_get, job_get

if TYPE_CHECKING:
    from nanobananas.engine.video import VideoSpec

__all__ = [
    "NEEDS_VIDEO_PROVIDER",
    "PlanLimit",
    "VideoRequest",
    "chat_video_options",
    "job_cancel",
    "video_create",
    "video_job_work",
    "video_limits_check",
    "video_poster",
    "video_preview",
    "video_spec_parse",
]

logger = logging.getLogger(__name__)

NEEDS_VIDEO_PROVIDER = (
    "Making a video from words alone needs a generative video provider (Veo through a Gemini key), and none "
    "is set up here. The built-in engine animates pictures: pick one or more and choose a motion (a slow "
    "zoom, a pan, a slideshow, an animated poster, a before/after wipe)."
)
VIDEO_THIRD_PARTY_DISABLED = (
    "Making a video from words needs a generative video model at a third-party AI service, and your privacy "
    "settings say never to send your content to one (Me → Privacy). Pictures can still be animated here."
)
FULL_HD_SHORT_SIDE = 720
GENERATED_SECONDS = 8
PREVIEW_SECONDS_LIMIT = 1.0
# Progress written at most this often (and always when the percentage moves): one indexed update each.
PROGRESS_EVERY_SECONDS = 0.25
EXTENSIONS = {"video/mp4": "mp4", "image/gif": "gif", "image/webp": "webp", "video/webm": "webm"}
FAILED_MESSAGE = "Something went wrong while making the video. Please try again."


class PlanLimit(DomainError):
    """The owner's plan does not include this (1080p on a free plan, a provider it does not allow)."""

    status_code = 403
    code = "plan_limit"


class _Stopped(Exception):
    """The job is no longer this run's: cancelled, stopped with its account, or taken over after a lost lease."""


@dataclass(frozen=True)
class VideoRequest:
    """What to make, checked: the spec (None for a clip from words), the pictures and the provider kind."""

    spec: VideoSpec | None
    inputs: list[uuid.UUID] = field(default_factory=list)
    generative: bool = False
    refusal: str = ""

    def as_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "spec": self.spec.model_dump(mode="json") if self.spec is not None else None,
            "inputs": [str(i) for i in self.inputs],
            "generative": self.generative,
        }
        if self.refusal:
            options["refusal"] = self.refusal
        return options

    @property
    def seconds(self) -> float:
        return float(self.spec.seconds) if self.spec is not None else float(GENERATED_SECONDS)


def video_spec_parse(*, motion: str | None, parameters: dict[str, Any]) -> VideoSpec:
    """A VideoSpec from the API's `motion` and `parameters` ("size": "square"/"vertical"/"720p"/"1080p"
    names a shape), or InvalidInput naming the first bad field."""
    from pydantic import ValidationError

    from nanobananas.engine.video import VideoSpec

    values = dict(parameters)
    if motion is not None:
        values["motion"] = motion
    size = values.pop("size", None)
    if size is not None:
        shapes = {
            "720p": (1280, 720), "1080p": (1920, 1080), "square": (720, 720), "square_1080": (1080, 1080),
            "vertical": (720, 1280), "vertical_1080": (1080, 1920),
        }  # fmt: skip
        if size not in shapes:
            raise InvalidInput(f"parameters.size: one of {', '.join(shapes)}.", code="invalid_input")
        values["width"], values["height"] = shapes[size]
    try:
        return VideoSpec(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        where = "motion" if where == "motion" else f"parameters.{where}" if where else "parameters"
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid value')}", code="invalid_input") from None
    except TypeError as exc:
        raise InvalidInput(f"parameters: {exc}", code="invalid_input") from None


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)


def _counted_video_jobs(owner: Owner, since: datetime) -> list[dict[str, Any]]:
    """The owner's video jobs asked for since `since` that count: not failed, not refused, not a refusal."""
    rows = Job.objects.filter(
        owner_filter(owner, "conversation__"), options__has_key="video", request__created_at__gte=since
    ).exclude(status__in=(Job.Status.FAILED, Job.Status.REFUSED))
    return [
        video
        for video in (row.get("video") for row in rows.values_list("options", flat=True))
        if isinstance(video, dict) and not video.get("refusal")
    ]


def video_limits_check(*, owner: Owner, request: VideoRequest) -> None:
    """Raise QuotaExceeded (429) or PlanLimit (403) if `owner`'s plan does not allow this video today."""
    plan = plan_for(owner=owner)
    spec = request.spec
    if spec is not None and min(spec.width, spec.height) > FULL_HD_SHORT_SIDE and not plan.is_paid:
        raise PlanLimit(
            f"{spec.width}x{spec.height} (1080p) videos come with a paid plan; the {plan.name} plan makes them "
            f"up to 720p (1280x720, 720x720 or 720x1280).",
            code="needs_paid_plan",
        )
    now = timezone.now()
    today = _day_start(now)
    tomorrow = today + timedelta(days=1)
    made_today = _counted_video_jobs(owner, today)
    if len(made_today) >= plan.daily_videos:
        raise QuotaExceeded(
            f"You have made {len(made_today)} video{'s' if len(made_today) != 1 else ''} today, the most the "
            f"{plan.name} plan allows a day. More can be made after midnight UTC.",
            resets_at=tomorrow,
        )
    used = sum(float((video.get("spec") or {}).get("seconds") or GENERATED_SECONDS) for video in made_today)
    if used + request.seconds > plan.video_seconds:
        left = max(0.0, plan.video_seconds - used)
        raise QuotaExceeded(
            f"A {request.seconds:g} second video is more than the {left:g} seconds of video left today "
            f"(the {plan.name} plan makes {plan.video_seconds} seconds a day). Ask for a shorter one, or "
            "come back after midnight UTC.",
            resets_at=tomorrow,
        )
    month = today.replace(day=1)
    made_this_month = _counted_video_jobs(owner, month)
    if len(made_this_month) >= plan.monthly_videos:
        next_month = (month + timedelta(days=32)).replace(day=1)
        raise QuotaExceeded(
            f"You have made {len(made_this_month)} videos this month, the most the {plan.name} plan allows.",
            resets_at=next_month,
        )


def _pictures(owner: Owner, asset_ids: list[uuid.UUID]) -> list[Asset]:
    """The owner's live pictures, in the order given; someone else's id (or a video) is simply not found."""
    found = []
    for asset_id in asset_ids:
        asset = asset_get(owner=owner, asset_id=asset_id)
        if asset.kind == Asset.Kind.VIDEO:
            raise InvalidInput("A video is made from pictures, not from another video.", code="not_a_picture")
        found.append(asset)
    return found


def _video_provider_check(owner: Owner) -> None:
    """Raise unless `owner` may have a video made from words by a generative provider here."""
    route = providers_for(owner)
    if route.generative is None:
        if route.unavailable_code == "provider_not_in_plan":
            # The routing leaves out a provider the owner's plan does not list.
            plan = plan_for(owner=owner)
            raise PlanLimit(
                f"The {plan.name} plan does not include videos made from words by a generative provider; the "
                "built-in engine can still animate pictures.",
                code="provider_not_in_plan",
            )
        if route.unavailable and route.unavailable != services_needs_provider():
            raise ProviderUnavailable(VIDEO_THIRD_PARTY_DISABLED, code="third_party_disabled")
        raise ProviderUnavailable(NEEDS_VIDEO_PROVIDER, code="needs_provider")
    if not route.generative.can_video:
        raise ProviderUnavailable(NEEDS_VIDEO_PROVIDER, code="needs_provider")


def services_needs_provider() -> str:
    from nanobananas.providers.builtin import NEEDS_GENERATIVE_PROVIDER

    return str(NEEDS_GENERATIVE_PROVIDER)


class ProviderUnavailable(DomainError):
    status_code = 422
    code = "needs_provider"


def _describe(request: VideoRequest, prompt: str) -> str:
    """The request as the conversation shows it (the user's turn)."""
    if request.spec is None or request.generative:
        return prompt
    motion = request.spec.motion.replace("_", " ")
    count = len(request.inputs)
    pictures = "1 picture" if count == 1 else f"{count} pictures"
    shape = f"{request.spec.width}x{request.spec.height}, {request.spec.fps} fps, {request.spec.format.upper()}"
    line = f"Make a {request.spec.seconds:g} second {motion} video from {pictures} ({shape})."
    return f"{prompt}\n{line}" if prompt else line


# The planner's refusals that mean "no camera move over these pictures makes this": words for a generative model.
_GENERATIVE_REFUSALS = ("Making people or things", "I did not understand")


def _plan_words(owner: Owner, text: str, pictures: list[Asset], attached: list[Asset]) -> VideoRequest:
    """A request in words planned on the pictures at hand (`attached`: the ones sent with it, tried first).

    A motion the engine makes is planned into a spec and its pictures; a clip only a generative model could
    make goes to the generative video provider when this owner may use one; anything else is a VideoRequest
    whose `refusal` is the planner's honest help (and, for generative wishes, why there is no provider)."""
    from nanobananas.engine.video import plan_video

    plan = plan_video(text, available_images=len(pictures))
    if plan.spec is not None:
        wanted = plan.images_wanted
        last = isinstance(wanted, str) and wanted.startswith("last:")
        if attached and not last:
            chosen = _choose(wanted, attached)
        elif last:
            chosen = _choose(wanted, pictures)
        else:
            chosen = _current(pictures, int(wanted or 1))
        return VideoRequest(spec=plan.spec, inputs=[p.id for p in chosen])
    refusal = plan.refusal or "I did not understand what video to make."
    if not refusal.startswith(_GENERATIVE_REFUSALS):
        return VideoRequest(spec=None, refusal=refusal)
    try:
        _video_provider_check(owner)
    except (ProviderUnavailable, PlanLimit) as exc:
        return VideoRequest(spec=None, refusal=f"{refusal} {exc.message}")
    first = (attached or pictures)[-1:] if refusal.startswith(_GENERATIVE_REFUSALS[0]) else attached[:1]
    return VideoRequest(spec=None, inputs=[p.id for p in first], generative=True)


def _choose(wanted: Any, pictures: list[Asset]) -> list[Asset]:
    """The pictures a plan wants: "last:N" the N newest (oldest first), N the first N given."""
    if isinstance(wanted, str) and wanted.startswith("last:"):
        count = int(wanted.split(":", 1)[1])
        return sorted(pictures, key=lambda a: a.created_at)[-count:]
    count = int(wanted) if wanted else len(pictures)
    return pictures[:count]


def video_create(
    *,
    owner: Owner,
    conversation_id: uuid.UUID | None = None,
    asset_ids: list[uuid.UUID] | None = None,
    spec: VideoSpec | None = None,
    prompt: str = "",
    generative: bool = False,
    address_key: str | None = None,
) -> Job:
    """Queue a video job: from `asset_ids` with `spec` (a motion), or planned from `prompt` (with or without
    pictures), or a generative clip from `prompt` (`generative`). Every check happens before anything is
    written: a refused request changes nothing. The job joins `conversation_id`, or a new conversation."""
    from nanobananas.engine.video import VideoError, check_inputs

    prompt = clean_text(prompt)
    if len(prompt) > 2000:
        raise InvalidInput("A prompt can be at most 2000 characters.", code="message_too_long")
    ids = list(dict.fromkeys(asset_ids or []))
    if len(ids) > 20:
        raise InvalidInput("A video takes at most 20 pictures.", code="too_many_pictures")
    if conversation_id is not None:
        conversation_get(owner=owner, conversation_id=conversation_id)
    pictures = _pictures(owner, ids)
    if generative:
        if not prompt:
            raise InvalidInput("Describe the video to make.", code="empty_prompt")
        _video_provider_check(owner)
        request = VideoRequest(spec=spec, inputs=[p.id for p in pictures[:1]], generative=True)
    elif spec is not None:
        try:
            check_inputs(spec, len(pictures))
        except VideoError as exc:
            raise InvalidInput(str(exc), code=exc.code) from None
        request = VideoRequest(spec=spec, inputs=[p.id for p in pictures])
    elif prompt:
        request = _plan_words(owner, prompt, pictures, pictures)
        if request.refusal:
            raise InvalidInput(request.refusal, code="unplanned")
    else:
        raise InvalidInput("Choose a motion (or describe the video in words).", code="no_motion")
    if request.spec is not None and request.spec.motion == "poster" and (not pictures or not pictures[0].plan):
        raise InvalidInput(
            "An animated poster is made from a poster designed here (its layout keeps the text crisp); "
            "pick one, or choose another motion for this picture.",
            code="no_design",
        )
    screened = content_screen().turn(owner=owner, text=prompt, images=[], address_key=address_key)

    now = timezone.now()
    with transaction.atomic():
        if conversation_id is None:
            conversation = conversations.conversation_create(owner=owner, title=(prompt or "Video")[:80])
            conversation_id = conversation.id
        conversation = Conversation.objects.select_for_update().get(id=conversation_id)
        video_limits_check(owner=owner, request=request)
        text_expiry = text_deadline(owner=owner, created_at=now)
        message = Message(conversation=conversation, role=Message.Role.USER, expires_at=text_expiry)
        message.text = _describe(request, prompt)
        message.save(force_insert=True)
        job = _job_create(conversation, message, request, now=now)
        audit_record(
            kind="generation.requested", actor=owners.actor_of(owner), owner_key=owner.key,
            target_type="job", target_id=str(job.id),
            details={"conversation": str(conversation.id), "video": True, "pictures": len(request.inputs),
                     "review": screened.audit_details()},
        )  # fmt: skip
        screened.queue(conversation_id=conversation.id, message_id=message.id, upload_ids=[], job_id=job.id)
        update: dict[str, Any] = {"updated_at": now, "expires_at": text_expiry}
        Conversation.objects.filter(id=conversation.id).update(**update)
    return job


def _job_create(conversation: Conversation, message: Message, request: VideoRequest, *, now: datetime) -> Job:
    from django.db.models import Max

    number = (Job.objects.filter(conversation=conversation).aggregate(top=Max("number"))["top"] or 0) + 1
    job = Job.objects.create(
        conversation=conversation,
        number=number,
        request=message,
        options={"video": request.as_options()},
        queued_at=now,
        stage="Waiting in line",
    )
    jobs.job_queue_on_commit(job.id)
    return job


def chat_video_options(
    *, owner: Owner, conversation: Conversation, text: str, attachment_ids: list[uuid.UUID]
) -> dict[str, Any] | None:
    """For a chat turn: None when `text` is not a video request, else the job's `options["video"]`, planned on
    the conversation's pictures (this turn's first). Limits are checked here, before the turn is stored."""
    from nanobananas.engine.video import looks_like_video_request

    if not looks_like_video_request(text):
        return None
    pictures = list(
        Asset.objects.filter(
            conversation=conversation,
            kind__in=(Asset.Kind.UPLOAD, Asset.Kind.RESULT),
            state=Lifecycle.ACTIVE,
        ).order_by("created_at", "number")
    )
    attached = [p for p in pictures if p.id in set(attachment_ids)]
    request = _plan_words(owner, text, pictures, attached)
    if not request.refusal:
        video_limits_check(owner=owner, request=request)
    return request.as_options()


def _current(pictures: list[Asset], count: int) -> list[Asset]:
    """ "This picture": the newest version (else the newest upload); several: the newest `count` of them."""
    versions = [p for p in pictures if p.kind == Asset.Kind.RESULT]
    if count == 1:
        return (versions or pictures)[-1:]
    return pictures[-count:]


def job_cancel(*, owner: Owner, job_id: uuid.UUID) -> Job:
    """Stop a queued or running job: it fails with code `cancelled` and makes nothing (a render checks and
    stops; whatever it had written is dropped). A finished job is a conflict."""
    with transaction.atomic():
        job = job_get(owner=owner, job_id=job_id)
        now = timezone.now()
        stopped = Job.objects.filter(id=job.id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).update(
            status=Job.Status.FAILED,
            error_code="cancelled",
            sealed_error_message="",
            stage="Cancelled",
            finished_at=now,
            heartbeat_at=now,
        )
        if not stopped:
            raise Conflict(f"Only a waiting or running job can be cancelled; this one is {job.status}.",
                           code="not_cancellable")  # fmt: skip
        audit_record(kind="generation.cancelled", actor=owners.actor_of(owner), owner_key=owner.key,
                     target_type="job", target_id=str(job.id))  # fmt: skip
        jobs.next_job_queue(job.conversation_id)
    job.refresh_from_db()
    return job


# -- running a video job -----------------------------------------------------------------------------------------


class _Progress:
    """The render's progress callback: writes the job's progress (10..90 %) and stops the render as soon as
    the job is no longer this run's."""

    def __init__(self, job_id: uuid.UUID, attempt: int, *, low: int = 10, high: int = 88, prefix: str = "") -> None:
        self.job_id, self.attempt, self.low, self.high, self.prefix = job_id, attempt, low, high, prefix
        self._last_percent = -1
        self._last_at = 0.0

    def __call__(self, percent: int, stage: str) -> None:
        now = time.monotonic()
        scaled = self.low + (self.high - self.low) * max(0, min(100, int(percent))) // 100
        if scaled == self._last_percent and now - self._last_at < PROGRESS_EVERY_SECONDS:
            return
        self._last_percent, self._last_at = scaled, now
        words = f"{self.prefix}{stage}" if stage else self.prefix.rstrip(": ")
        written = Job.objects.filter(id=self.job_id, status=Job.Status.RUNNING, attempts=self.attempt).update(
            progress=scaled, stage=(words[:1].upper() + words[1:])[:200], heartbeat_at=timezone.now()
        )
        if not written:
            raise _Stopped


@dataclass
class _Made:
    data_path: str
    content_type: str
    width: int
    height: int
    fps: int
    seconds: float
    screen_frames: list[Image.Image]
    operation: str
    inputs: list[uuid.UUID]
    provider: str
    model: str
    plan: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[str, Any] = field(default_factory=dict)
    reply: str = ""


def video_job_work(job_id: uuid.UUID, attempt: int) -> None:
    """Run claimed attempt `attempt` of a video job to the end (called by jobs.job_run under its lease)."""
    started = time.perf_counter()
    job = Job.objects.select_related("conversation", "request").get(id=job_id)
    job.attempts = attempt
    owner = owners.owner_of(job.conversation)
    video = job.options["video"]
    if video.get("refusal"):
        outcomes.outcome_store(job, outcomes.Outcome(reply=str(video["refusal"])), duration_ms=0)
        return
    made: _Made | None = None
    try:
        made = _generate(job, owner, video) if video.get("generative") else _render(job, owner, video)
        jobs.job_progress(job_id=job_id, percent=92, stage="Checking the video", attempt=attempt)
        _store(job, owner, made, duration_ms=round((time.perf_counter() - started) * 1000))
    except _Stopped:
        logger.info("job %s: attempt %d stopped (cancelled or taken over)", job_id, attempt)
    except ProviderRefused as exc:
        if jobs.job_holds(job_id, attempt):
            verdict = content_screen().provider_refusal(owner=owner, job_id=job_id, exc=exc)
            jobs.job_finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code=exc.code or "refused",
                            message=str(exc), reason=exc.code,
                            review=verdict.as_dict() if verdict.blocked else None)  # fmt: skip
    except ProviderError as exc:
        logger.warning("job %s: the video provider failed: %s", job_id, exc)
        jobs.job_finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="provider_error", message=str(exc))
    except _VideoRefused as exc:
        jobs.job_finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code=exc.code, message=str(exc))
    except Exception:
        logger.exception("job %s: unexpected failure while making a video", job_id)
        jobs.job_finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="internal_error",
                        message=FAILED_MESSAGE)  # fmt: skip
    finally:
        if made is not None and os.path.exists(made.data_path):
            os.unlink(made.data_path)


class _VideoRefused(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _live_pictures(job: Job, video: dict[str, Any]) -> list[Asset]:
    ids = [uuid.UUID(i) for i in video.get("inputs", [])]
    owner = owners.owner_of(job.conversation)
    rows = {a.id: a for a in Asset.objects.filter(owner_filter(owner), id__in=ids, state=Lifecycle.ACTIVE)}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise _VideoRefused(
            "A picture this video was to be made from has been deleted since it was asked for.", code="input_gone"
        )
    return [rows[i] for i in ids]


def _render(job: Job, owner: Owner, video: dict[str, Any]) -> _Made:
    from nanobananas.engine.video import VideoError, VideoSpec, render_video

    spec = VideoSpec(**video["spec"])
    pictures = _live_pictures(job, video)
    progress = _Progress(job.id, job.attempts, prefix="Rendering ")
    jobs.job_progress(job_id=job.id, percent=8, stage="Opening the pictures", attempt=job.attempts)
    images = jobs.images_load([p.id for p in pictures])
    design = pictures[0].plan if spec.motion == "poster" and pictures else None
    handle = tempfile.NamedTemporaryFile(prefix="nanobananas-video-", suffix=f".{spec.format}", delete=False)  # noqa: SIM115
    try:
        with handle:
            info = render_video(spec, images, handle, design=design, progress=progress)  # type: ignore[arg-type]  # a binary file
    except VideoError as exc:
        os.unlink(handle.name)
        raise _VideoRefused(str(exc), code=getattr(exc, "code", "bad_input")) from None
    except BaseException:
        os.unlink(handle.name)
        raise
    del images
    return _Made(
        data_path=handle.name,
        content_type=info.content_type,
        width=info.width,
        height=info.height,
        fps=info.fps,
        seconds=info.seconds,
        screen_frames=list(info.screen_frames) or [info.poster_frame],
        operation=Asset.Operation.ANIMATE,
        inputs=[p.id for p in pictures],
        provider="builtin",
        model="nanobananas-engine",
        steps=[{"op": f"video.{spec.motion}", "params": spec.model_dump(mode="json")}],
        reply=f"Here is your {spec.seconds:g} second {spec.motion.replace('_', ' ')} video",
    )


def _generate(job: Job, owner: Owner, video: dict[str, Any]) -> _Made:
    """A clip from words (and a first frame) by the provider's video model, polled with progress."""
    route = providers_for(owner)
    provider = route.generative
    if provider is None or not provider.can_video:
        raise ProviderRefused(route.unavailable if route.generative is None and route.unavailable
                              and route.unavailable != services_needs_provider() else NEEDS_VIDEO_PROVIDER,
                              code="needs_provider")  # fmt: skip
    pictures = _live_pictures(job, video)
    spec_values = video.get("spec") or {}
    width, height = int(spec_values.get("width", 1280)), int(spec_values.get("height", 720))
    seconds = min(GENERATED_SECONDS, round(float(spec_values.get("seconds", GENERATED_SECONDS))))
    first_frame = jobs.image_load(pictures[0].id) if pictures else None
    prompt = job.request.text
    progress = _Progress(job.id, job.attempts, low=5, high=88)
    made = provider.generate_video(
        prompt=prompt,
        progress=progress,
        image=first_frame,
        aspect_ratio=f"{width}:{height}",
        duration_seconds=seconds,
    )
    handle = tempfile.NamedTemporaryFile(prefix="nanobananas-video-", delete=False)  # noqa: SIM115
    with handle:
        handle.write(made.data)
    try:
        probed = _probe(handle.name)
    except Exception:
        os.unlink(handle.name)
        raise ProviderError(
            f"{model_label(made.model)} returned a video that cannot be read; nothing was saved"
        ) from None
    sent = dict(made.details.get("sent") or {}) if isinstance(made.details.get("sent"), dict) else {}
    sent.update(
        {"provider": made.provider, "model": made.model, "prompt_message_id": str(job.request_id),
         "input_asset_ids": [str(p.id) for p in pictures]}
    )  # fmt: skip
    return _Made(
        data_path=handle.name,
        content_type=made.content_type or "video/mp4",
        width=probed.width,
        height=probed.height,
        fps=probed.fps,
        seconds=probed.seconds,
        screen_frames=probed.frames,
        operation=Asset.Operation.GENERATE,
        inputs=[p.id for p in pictures],
        provider=made.provider,
        model=made.model,
        sent=sent,
        reply=f"Here is your video from {model_label(made.model)}",
    )


@dataclass
class _Probed:
    width: int
    height: int
    fps: int
    seconds: float
    frames: list[Image.Image]


def _probe(path: str) -> _Probed:
    """Size, frame rate and length of a video file, and its first, middle and last frames (for screening),
    decoded one frame at a time."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or stream.guessed_rate or 24)
        total = int(stream.frames or 0)
        first: Image.Image | None = None
        middle: Image.Image | None = None
        last: Image.Image | None = None
        count = 0
        for frame in container.decode(stream):
            picture = frame.to_image()
            if first is None:
                first = picture
            if total and count == total // 2:
                middle = picture
            last = picture
            count += 1
        if first is None or last is None:
            raise ValueError("no frames")
        seconds = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else count / rate
        frames = [first] + ([middle] if middle is not None else []) + [last]
        return _Probed(width=first.width, height=first.height, fps=round(rate), seconds=seconds, frames=frames)


def _store(job: Job, owner: Owner, made: _Made, *, duration_ms: int) -> None:
    """Screen and store what attempt `job.attempts` made, unless the job is no longer that run's."""
    attempt = job.attempts
    if not jobs.job_holds(job.id, attempt):
        raise _Stopped
    for frame in made.screen_frames:
        screened = content_screen().result(owner=owner, job_id=job.id, image=frame)
        if screened.blocked:
            jobs.job_finish(job.id, attempt=attempt, status=Job.Status.REFUSED, code="content_blocked",
                            message=screened.message, review=screened.audit_details())  # fmt: skip
            return
    extension = EXTENSIONS.get(made.content_type, "mp4")
    blob_name = f"videos/{owner.key}/{job.id}-{attempt}.{extension}"
    digest = hashlib.sha256()
    size = 0
    with open(made.data_path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    with open(made.data_path, "rb") as source:
        if default_storage.exists(blob_name):
            default_storage.delete(blob_name)
        from django.core.files import File

        stored_name = default_storage.save(blob_name, File(source, name=os.path.basename(blob_name)))
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(id=job.id)
        if locked.status != Job.Status.RUNNING or locked.attempts != attempt:
            default_storage.delete(stored_name)
            raise _Stopped
        if attempt > 1:
            blobs.blobs_delete_on_commit(
                [f"videos/{owner.key}/{job.id}-{earlier}.{extension}" for earlier in range(1, attempt)]
            )
        conversation = Conversation.objects.select_for_update().get(id=job.conversation_id)
        number = conversations.asset_number_next(conversation, Asset.Kind.VIDEO)
        size_words = f"{made.width}x{made.height}, {made.fps} fps"
        reply = Message(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            expires_at=text_deadline(owner=owner, created_at=now),
        )
        reply.text = f"{made.reply} ({size_words}, video {number})."
        reply.save(force_insert=True)
        asset = Asset(
            conversation=conversation,
            message=reply,
            job=locked,
            kind=Asset.Kind.VIDEO,
            number=number,
            operation=made.operation,
            parent_id=made.inputs[0] if made.inputs else None,
            inputs=[str(i) for i in made.inputs],
            duration_ms=duration_ms,
            length_ms=round(made.seconds * 1000),
            fps=made.fps,
            blob_name=stored_name,
            content_type=made.content_type,
            width=made.width,
            height=made.height,
            byte_size=size,
            sha256=digest.hexdigest(),
            provider=made.provider,
            model=made.model,
            sent=made.sent,
            created_at=now,
            expires_at=retention_deadline(owner=owner, created_at=now),
            owner_user_id=owner.user_id,
            owner_guest_id=owner.guest_id,
        )
        asset.plan, asset.steps = made.plan, made.steps
        asset.save(force_insert=True)
        analytics_record(owner, "video_made", provider=made.provider)
        Job.objects.filter(id=job.id).update(
            status=Job.Status.DONE, result=reply, progress=100, stage="Done", finished_at=now, heartbeat_at=now,
            provider=made.provider,
        )  # fmt: skip
        audit_record(
            kind="generation.done", actor="system", owner_key=owner.key, target_type="job", target_id=str(job.id),
            details={"provider": made.provider, "model": made.model, "operation": made.operation,
                     "third_party": bool(made.sent), "video_sha256": asset.sha256, "duration_ms": duration_ms,
                     "seconds": made.seconds, "frames_screened": len(made.screen_frames)},
        )  # fmt: skip
        Conversation.objects.filter(id=conversation.id).update(
            updated_at=now, expires_at=text_deadline(owner=owner, created_at=now)
        )
        jobs.next_job_queue(conversation.id)


# -- previews and posters ------------------------------------------------------------------------------------------


def video_preview(*, owner: Owner, asset_ids: list[uuid.UUID], spec: VideoSpec) -> bytes:
    """The first second of `spec` on the owner's pictures, small (<= 480 px wide), as an MP4: for the page's
    live preview. Nothing is stored and nothing is counted."""
    from nanobananas.engine.video import VideoError, check_inputs, preview_video

    pictures = _pictures(owner, list(dict.fromkeys(asset_ids)))
    try:
        check_inputs(spec.model_copy(update={"format": "mp4"}), len(pictures))
    except VideoError as exc:
        raise InvalidInput(str(exc), code=exc.code) from None
    design = pictures[0].plan if spec.motion == "poster" else None
    if spec.motion == "poster" and not design:
        raise InvalidInput("An animated poster is made from a poster designed here.", code="no_design")
    images = jobs.images_load([p.id for p in pictures])
    out = io.BytesIO()
    try:
        preview_video(spec.model_copy(update={"format": "mp4"}), images, out, design=design)
    except VideoError as exc:
        raise InvalidInput(str(exc), code=exc.code) from None
    return out.getvalue()


def video_poster(*, asset: Asset) -> bytes:
    """The first frame of a stored video as a JPEG, for the <video poster>."""
    import av

    with default_storage.open(asset.blob_name, "rb") as handle, av.open(handle, mode="r") as container:
        frame = next(container.decode(video=0))
        picture = frame.to_image().convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


jobs.job_work_register("video", video_job_work)
