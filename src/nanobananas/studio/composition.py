"""The work of an image job: a chat turn understood (generate, edit, revert, combine, overlay, a new background)
or an AI tool run, carried out by the engine or a provider, its failures ended as refusals or errors."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from PIL import Image, ImageOps

from nanobananas.analytics.feedback import error_report_create
from nanobananas.engine.errors import EngineError
from nanobananas.providers.base import (
    ClarificationNeeded,
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
    Turn,
    turn_signatures,
)
from nanobananas.providers.routing import Providers, providers_for
from nanobananas.registry.screening import content_screen
from nanobananas.studio.intent import ConversationState, ImageRef, Intent, resolve_intent
from nanobananas.studio.jobs import image_load, images_load, job_finish, job_holds, job_progress, job_work_register
from nanobananas.studio.models import Asset, Job, Lifecycle
from nanobananas.studio.outcomes import Outcome, outcome_store, sent_details
from nanobananas.studio.owners import owner_of
from nanobananas.studio.tools import tool_job_carry_out, tool_outcome

__all__ = [
    "image_job_work",
]

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Something went wrong while making the image. Please try again."


def _ref(asset: Asset) -> ImageRef:
    if asset.kind == Asset.Kind.UPLOAD:
        return ImageRef(id=asset.id, kind="upload", number=asset.number, parent_id=asset.parent_id)
    return ImageRef(id=asset.id, kind="result", number=asset.number, parent_id=asset.parent_id)


def _conversation_state(job: Job) -> ConversationState:
    """The images this turn can see: versions made by earlier turns, uploads sent up to this turn."""
    # The owner columns too: opening the sealed plan needs the owner's key.
    fields = ("id", "kind", "number", "parent_id", "message_id", "operation", "sealed_plan", "owner_user",
              "owner_guest")  # fmt: skip
    versions = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.RESULT,
            state=Lifecycle.ACTIVE,
            job__number__lt=job.number,
        )
        .only(*fields)
        .order_by("number")
    )
    uploads = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.UPLOAD,
            state=Lifecycle.ACTIVE,
            message__created_at__lte=job.request.created_at,
        )
        .only(*fields)
        .order_by("number")
    )
    last_edit = next((a for a in reversed(versions) if a.operation == Asset.Operation.EDIT and a.plan), None)
    # A painted area is not a picture: "the first picture" never means one, in this turn or a later one.
    uploads = [a for a in uploads if a.operation != Asset.Operation.MASK]
    return ConversationState(
        versions=[_ref(a) for a in versions],
        uploads=[_ref(a) for a in uploads if a.message_id != job.request_id],
        attachments=[_ref(a) for a in uploads if a.message_id == job.request_id],
        last_plan=last_edit.plan if last_edit is not None else None,
    )


def _label(ref: ImageRef) -> str:
    return f"version {ref.number}" if ref.kind == "result" else f"picture {ref.number}"


def _describe_steps(steps: list[dict[str, Any]]) -> str:
    names = [str(step["op"]).replace("_", " ") for step in steps]
    return ", then ".join(names) if names else "nothing to change"


def _requested_size(job: Job) -> tuple[int, int] | None:
    size = job.options.get("size")
    return (int(size[0]), int(size[1])) if size else None


def _apply_mask(original: Image.Image, edited: Image.Image, mask: Image.Image) -> Image.Image:
    """Keep the edit only where the mask is fully transparent (the OpenAI images API's convention)."""
    if edited.size != original.size:
        raise ProviderRefused("A mask only works with edits that keep the picture's size.")
    alpha = mask.convert("RGBA").getchannel("A").resize(original.size, Image.Resampling.NEAREST)
    editable = alpha.point(lambda value: 255 if value == 0 else 0)
    mode = "RGBA" if "A" in edited.getbands() or "A" in original.getbands() else "RGB"
    return Image.composite(edited.convert(mode), original.convert(mode), editable)


def _history(job: Job, provider: str, *, turns: int = 2) -> list[Turn]:
    """The conversation's last `turns` exchanges that this provider already made, oldest first, for
    providers that edit in a chat ("now make it bigger" builds on what it made before). Turns the
    built-in engine answered are not sent: they never left the server, and stay that way."""
    earlier = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.RESULT,
            state=Lifecycle.ACTIVE,
            provider=provider,
            job__number__lt=job.number,
        )
        .select_related("job__request", "message")
        .order_by("-job__number")[:turns]
    )
    history: list[Turn] = []
    for asset in reversed(earlier):
        request = asset.job.request if asset.job is not None else None
        history.append(Turn(role="user", text=request.text if request is not None else ""))
        history.append(
            Turn(
                role="model",
                text=asset.message.text,
                images=(image_load(asset.id),),
                signatures=turn_signatures(asset.steps),
            )
        )
    return history


def _generate(intent: Intent, route: Providers, job: Job, progress: Any) -> Outcome:
    size = _requested_size(job)
    if route.generative is not None:
        made = route.generative.generate(prompt=intent.text, progress=progress, size=size)
        return Outcome(
            reply="Here is your picture.",
            image=made.image,
            operation=Asset.Operation.GENERATE,
            steps=list(made.details.get("steps", [])),
            provider=made.provider,
            model=made.model,
            sent=sent_details(made, job, []),
        )
    try:
        made = route.local.generate(prompt=intent.text, progress=progress, size=size)
    except ProviderRefused as exc:
        if exc.code != "needs_provider":
            raise
        raise ProviderRefused(f"{exc} {route.unavailable}", code="needs_provider") from exc
    return Outcome(
        reply="Here is your design.",
        image=made.image,
        operation=Asset.Operation.GENERATE,
        plan=made.details.get("spec") if isinstance(made.details.get("spec"), dict) else None,
        provider=made.provider,
        model=made.model,
    )


def _edit(intent: Intent, route: Providers, job: Job, state: ConversationState, progress: Any) -> Outcome:
    """One image changed as the words say: the planner decides whether the built-in engine can do it
    (cheap, private) or only a generative model can."""
    [base] = intent.bases[:1]
    progress(10, f"Opening {_label(base)}")
    if job.options.get("mask"):
        # Loaded together, so that a shrink under the job's pixel budget keeps them the same size.
        original, mask = images_load([base.id, uuid.UUID(job.options["mask"])])
    else:
        original, mask = image_load(base.id), None
    if intent.kind == "repeat" and state.last_plan is not None:
        plan: dict[str, Any] | None = state.last_plan
    else:
        progress(15, "Understanding your request")
        decision = route.planner.decide(intent.text, image_size=original.size)
        # Words the rule-based planner does not know go to a generative model when one may be used
        # (it understands free phrasing); a question an LLM planner chose to ask is asked.
        if decision.kind == "clarify" and not (route.generative is not None and decision.planner == "builtin"):
            raise ClarificationNeeded(decision.question, decision.suggestions)
        plan = decision.plan if decision.kind == "builtin" else None
        if decision.kind != "builtin":
            if route.generative is None:
                raise ProviderRefused(f"{decision.reason} {route.unavailable}".strip(), code="needs_provider")
            return _edit_generative(intent, route, job, state, original, mask, progress)
    edited = route.local.edit(image=original, instruction=intent.text, progress=progress, plan=plan)
    if mask is not None:
        edited.image = _apply_mask(original, edited.image, mask)
    if (size := _requested_size(job)) is not None and edited.image.size != size:
        edited.image = ImageOps.fit(edited.image, size, Image.Resampling.LANCZOS)
    steps = list(edited.details.get("steps", []))
    prefix = "Did the same" if intent.kind == "repeat" else "Done"
    return Outcome(
        reply=f"{prefix}: {_describe_steps(steps)}.",
        image=edited.image,
        operation=Asset.Operation.EDIT,
        parent_id=base.id,
        inputs=[base.id],
        plan=edited.details.get("plan"),
        steps=steps,
        provider=edited.provider,
        model=edited.model,
    )


def _edit_generative(
    intent: Intent,
    route: Providers,
    job: Job,
    state: ConversationState,
    original: Image.Image,
    mask: Image.Image | None,
    progress: Any,
) -> Outcome:
    assert route.generative is not None
    provider = route.generative
    [base] = intent.bases[:1]
    # The other pictures sent with this turn go along ("put this product in that scene").
    extras = [ref for ref in state.attachments if ref.id != base.id] if provider.can_edit_many else []
    # Earlier turns are read (and their pictures decoded) only for a provider that uses them.
    history = _history(job, provider.name) if provider.can_chat else []
    progress(30, f"Asking {provider.label}")
    made = provider.edit(
        image=original,
        instruction=intent.text,
        progress=progress,
        images=images_load([ref.id for ref in extras]) if extras else [],
        mask=mask,
        history=history,
    )
    if mask is not None:
        if made.image.size != original.size:
            made.image = ImageOps.fit(made.image, original.size, Image.Resampling.LANCZOS)
        made.image = _apply_mask(original, made.image, mask)
    if (size := _requested_size(job)) is not None and made.image.size != size:
        made.image = ImageOps.fit(made.image, size, Image.Resampling.LANCZOS)
    inputs = [base.id, *(ref.id for ref in extras)]
    return Outcome(
        reply="Done.",
        image=made.image,
        operation=Asset.Operation.EDIT,
        parent_id=base.id,
        inputs=inputs,
        steps=list(made.details.get("steps", [])),
        provider=made.provider,
        model=made.model,
        sent=sent_details(made, job, inputs),
    )


def _carry_out(intent: Intent, route: Providers, job: Job, state: ConversationState) -> Outcome:
    def progress(percent: int, stage: str) -> None:
        job_progress(job_id=job.id, percent=percent, stage=stage, attempt=job.attempts)

    if intent.kind == "clarify":
        return Outcome(reply=intent.question)
    if intent.kind == "tool":
        return tool_outcome(job=job, route=route, name=intent.tool, params=intent.params,
                            inputs=[ref.id for ref in intent.bases], progress=progress)  # fmt: skip
    if intent.kind == "generate":
        from nanobananas.analytics.personalization import design_preferences_for
        from nanobananas.engine.planner.preferences import design_preferences_used

        # The person's learned size, palette and fonts fill in what a design request leaves open.
        with design_preferences_used(design_preferences_for(owner=owner_of(job.conversation))):
            return _generate(intent, route, job, progress)
    if intent.kind == "revert":
        [base] = intent.bases
        progress(50, f"Going back to {_label(base)}")
        return Outcome(
            reply=f"Back to {_label(base)}.",
            image=image_load(base.id),
            operation=Asset.Operation.REVERT,
            parent_id=base.id,
            inputs=[base.id],
            provider="builtin",
            model="copy",
        )
    if intent.kind == "combine":
        from nanobananas.engine.compose import COMPOSE_VERSION, compose

        progress(30, "Combining the pictures")
        images = images_load([ref.id for ref in intent.bases])
        layout = intent.layout if intent.layout in {"horizontal", "vertical", "grid"} else "horizontal"
        combined = compose(images, layout=layout)  # type: ignore[arg-type]  # checked just above
        labels = " and ".join(_label(ref) for ref in intent.bases)
        words = {"horizontal": "side by side", "vertical": "one above the other", "grid": "in a grid"}[layout]
        return Outcome(
            reply=f"Combined {labels} {words}.",
            image=combined,
            operation=Asset.Operation.COMBINE,
            parent_id=intent.bases[0].id,
            inputs=[ref.id for ref in intent.bases],
            steps=[{"op": "compose", "version": COMPOSE_VERSION, "params": {"layout": layout}}],
            provider="builtin",
            model="nanobananas-engine",
        )
    if intent.kind == "overlay":
        from nanobananas.engine.compose import COMPOSE_VERSION, overlay

        progress(30, "Placing the logo")
        first, second = images_load([ref.id for ref in intent.bases])
        # The logo is the smaller picture, whichever order they came in.
        (photo, photo_ref), (logo, logo_ref) = sorted(
            [(first, intent.bases[0]), (second, intent.bases[1])], key=lambda item: -item[0].width * item[0].height
        )
        placed = overlay(photo, logo, position=intent.layout)
        return Outcome(
            reply=f"Placed {_label(logo_ref)} on {_label(photo_ref)} ({intent.layout.replace('-', ' ')}).",
            image=placed,
            operation=Asset.Operation.COMBINE,
            parent_id=photo_ref.id,
            inputs=[photo_ref.id, logo_ref.id],
            steps=[{"op": "overlay", "version": COMPOSE_VERSION, "params": {"position": intent.layout}}],
            provider="builtin",
            model="nanobananas-engine",
        )
    if intent.kind == "background":
        from nanobananas.engine.compose import COMPOSE_VERSION, place_on_background
        from nanobananas.engine.errors import EngineError
        from nanobananas.engine.ops import get_operation, validate_params

        subject_ref, background_ref = intent.bases
        progress(25, "Cutting out the subject")
        try:
            cut = get_operation("remove_background").apply(
                image_load(subject_ref.id), validate_params("remove_background", {})
            )
        except EngineError as exc:
            raise ProviderError(str(exc)) from exc
        progress(70, "Putting it on the new background")
        return Outcome(
            reply=f"Put the subject of {_label(subject_ref)} on {_label(background_ref)}.",
            image=place_on_background(cut, image_load(background_ref.id)),
            operation=Asset.Operation.COMBINE,
            parent_id=subject_ref.id,
            inputs=[subject_ref.id, background_ref.id],
            steps=[
                {"op": "remove_background", "version": get_operation("remove_background").version, "params": {}},
                {"op": "place_on_background", "version": COMPOSE_VERSION, "params": {}},
            ],
            provider="builtin",
            model="nanobananas-engine",
        )
    return _edit(intent, route, job, state, progress)


def _with_base_version(intent: Intent, job: Job, state: ConversationState) -> Intent:
    """An explicit `base_version` replaces "the latest version" as the image an edit applies to."""
    if job.base_version is None or intent.kind not in {"edit", "repeat"} or state.attachments:
        return intent
    base = next((v for v in state.versions if v.number == job.base_version), None)
    if base is None:
        return Intent(kind="clarify", text=intent.text, question=f"There is no version {job.base_version} yet.")
    return Intent(kind=intent.kind, text=intent.text, bases=[base])


def image_job_work(job_id: uuid.UUID, attempt: int) -> None:
    started = time.perf_counter()
    job = Job.objects.select_related("conversation", "request").get(id=job_id)
    # The attempt this run claimed, whatever the row says by now: every later write is checked against it.
    job.attempts = attempt
    route = providers_for(owner_of(job.conversation))
    provider = route.generative or route.local
    Job.objects.filter(id=job_id, attempts=attempt).update(provider=provider.name)
    try:
        if job.options.get("tool"):
            outcome = tool_job_carry_out(job, route)
        else:
            state = _conversation_state(job)
            intent = _with_base_version(resolve_intent(job.request.text, state), job, state)
            outcome = _carry_out(intent, route, job, state)
    except ClarificationNeeded as exc:
        tips = "; ".join(f"“{s}”" for s in exc.suggestions[:3])
        outcome = Outcome(reply=f"{exc.question} For example: {tips}." if tips else exc.question)
    except ProviderAnsweredText as exc:
        # The model answered in words and made no picture: its words are the reply.
        outcome = Outcome(reply=exc.text, provider=exc.provider, model=exc.model)
    except ProviderRefused as exc:
        if not job_holds(job_id, attempt):
            return
        verdict = content_screen().provider_refusal(owner=owner_of(job.conversation), job_id=job_id, exc=exc)
        job_finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code="refused", message=str(exc),
                reason=exc.code, review=verdict.as_dict() if verdict.blocked else None)  # fmt: skip
        return
    except ProviderError as exc:
        logger.warning("job %s: provider %s failed: %s", job_id, provider.name, exc)
        job_finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="provider_error", message=str(exc))
        error_report_create(job_id=job_id, exc=exc, provider=provider.name,
                            duration_ms=round((time.perf_counter() - started) * 1000))  # fmt: skip
        return
    except EngineError as exc:
        # What an AI tool cannot do with this picture ("no face found"): its stable code and its sentence.
        job_finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code=getattr(exc, "code", "") or "bad_input",
                message=str(exc))  # fmt: skip
        return
    except Exception as exc:
        logger.exception("job %s: unexpected failure", job_id)
        job_finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="internal_error",
                message=INTERNAL_ERROR_MESSAGE)  # fmt: skip
        error_report_create(job_id=job_id, exc=exc, provider=provider.name,
                            duration_ms=round((time.perf_counter() - started) * 1000))  # fmt: skip
        return
    outcome_store(job, outcome, duration_ms=round((time.perf_counter() - started) * 1000))


job_work_register("image", image_job_work)
