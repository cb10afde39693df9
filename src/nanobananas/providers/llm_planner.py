"""LLM planners: an OpenAI-compatible chat model or Gemini decides through tool calls, checked by the engine.

The model must call one of three tools: `run_plan` (a plan for the built-in engine, whose parameters are
the engine's Plan JSON schema with the op names enumerated), `needs_generation` (only a generative image
model can do it) or `ask_user` (the request is unclear). A plan is validated against the op registry; no
tool call, malformed arguments, an unknown op, bad params, an API error or a timeout all fall back to the
built-in planner, with `PlanDecision.fallback` saying why. Only the instruction text and the image size
are sent to the model.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from nanobananas.providers.base import ProviderError, ProviderTimeout
from nanobananas.providers.http import public_url, retry_after_seconds
from nanobananas.providers.planning import BuiltinPlanner, PlanDecision, Planner
from nanobananas.providers.retry import Failure, RetryPolicy, call_with_retries, retryable_status

if TYPE_CHECKING:
    from google.genai import Client as GeminiClient
    from openai import OpenAI

__all__ = [
    "ASK_USER",
    "NEEDS_GENERATION",
    "RUN_PLAN",
    "GeminiPlanner",
    "OpenAIChatPlanner",
    "PlannerAnswerRejected",
    "decision_from_tool_call",
    "plan_parameters_schema",
    "system_prompt",
    "tool_definitions",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

RUN_PLAN = "run_plan"
NEEDS_GENERATION = "needs_generation"
ASK_USER = "ask_user"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_TEXT = 500
MAX_SUGGESTIONS = 6


class PlannerAnswerRejected(Exception):
    """The model's answer cannot be used; the message is the short reason recorded as the fallback."""


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            target = _inline_refs(copy.deepcopy(definitions[reference.removeprefix("#/$defs/")]), definitions)
            return {**target, **{key: _inline_refs(value, definitions) for key, value in node.items() if key != "$ref"}}
        return {key: _inline_refs(value, definitions) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    return node


def _self_contained(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `$defs` reference replaced by its definition (tool schemas cannot refer)."""
    return dict(_inline_refs(schema, schema.get("$defs", {})))


@cache
def plan_parameters_schema() -> dict[str, Any]:
    """The `run_plan` tool's parameters: the engine's Plan schema, self-contained, op names enumerated,
    without `planner`, `planner_version` and `notes` (the built-in planner's own assumptions)."""
    from nanobananas.engine.ops import all_operations
    from nanobananas.engine.plan import Plan

    schema = _self_contained(Plan.model_json_schema())
    for key in ("planner", "planner_version", "notes"):
        schema["properties"].pop(key)
    schema["required"] = [name for name in schema.get("required", []) if name not in {"planner", "planner_version"}]
    schema["properties"]["steps"]["items"]["properties"]["op"]["enum"] = list(all_operations())
    return schema


def tool_definitions() -> list[dict[str, Any]]:
    """The three tools as name, description and JSON-schema parameters (each API wraps them its own way)."""
    return [
        {
            "name": RUN_PLAN,
            "description": (
                "Edit the image with the built-in engine: an ordered list of operations from the list in the "
                "instructions, each with parameters that match its schema."
            ),
            "parameters": plan_parameters_schema(),
        },
        {
            "name": NEEDS_GENERATION,
            "description": (
                "The request needs a generative image model (new content: adding, replacing or moving objects, "
                "changing a scene, a new picture from words); the built-in operations cannot do it."
            ),
            "parameters": {
                "type": "object",
                "properties": {"reason": {"type": "string", "description": "why, in one short sentence"}},
                "required": ["reason"],
            },
        },
        {
            "name": ASK_USER,
            "description": "The request is unclear; ask one short question and offer phrasings that would work.",
            "parameters": {
                "type": "object",
                "properties": {
                    "question": {"type": "string"},
                    "suggestions": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["question", "suggestions"],
            },
        },
    ]


@cache
def system_prompt() -> str:
    """Instructions for the model: when to use which tool, and every op with its parameter schema."""
    from nanobananas.engine.ops import all_operations

    lines = [
        "You plan image edits for an image studio. Call exactly one tool.",
        "Prefer run_plan whenever the operations below can do what the person asks: the built-in engine is "
        "cheap, fast and private (the picture never leaves the server).",
        "Call needs_generation only for requests the operations cannot do, such as adding, removing or "
        "replacing objects with new content, changing the scene, or drawing something new.",
        "Call ask_user when the request is unclear.",
        "Use only these operation names, and only the parameters each schema allows:",
    ]
    for name, operation in all_operations().items():
        params = json.dumps(_self_contained(operation.params_model.model_json_schema()), separators=(",", ":"))
        lines.append(f"- {name}: {operation.summary}. Parameters: {params}")
    return "\n".join(lines)


def user_message(instruction: str, image_size: tuple[int, int] | None) -> str:
    """What is sent about the request: the instruction text and, when known, the image size. Nothing else."""
    size = f"The image is {image_size[0]}x{image_size[1]} pixels.\n" if image_size is not None else ""
    return f"{size}The request: {instruction}"


def _text(arguments: dict[str, Any], key: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PlannerAnswerRejected(f"{key} is missing or empty")
    return value.strip()[:MAX_TEXT]


def decision_from_tool_call(name: str, arguments: Any, *, planner: str, model: str) -> PlanDecision:
    """Turn one tool call into a decision; PlannerAnswerRejected says why it cannot be used."""
    from pydantic import ValidationError

    from nanobananas.engine.errors import PlanError
    from nanobananas.engine.pipeline import validate_plan
    from nanobananas.engine.plan import Plan

    if not isinstance(arguments, dict):
        raise PlannerAnswerRejected(f"the {name} arguments are not a JSON object")
    if name == RUN_PLAN:
        try:
            plan = Plan.model_validate({**arguments, "planner": planner, "planner_version": model})
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc']) or 'plan'}: {item['msg']}" for item in error.errors()
            )
            raise PlannerAnswerRejected(f"the plan does not match the schema: {problems}") from None
        if not plan.steps:
            raise PlannerAnswerRejected("the plan has no steps")
        try:
            validate_plan(plan)
        except PlanError as error:
            raise PlannerAnswerRejected(f"the plan is not valid: {error}") from None
        return PlanDecision(kind="builtin", plan=plan.model_dump(mode="json"), planner=planner)
    if name == NEEDS_GENERATION:
        return PlanDecision(kind="generative", reason=_text(arguments, "reason"), planner=planner)
    if name == ASK_USER:
        suggestions = arguments.get("suggestions", [])
        if not isinstance(suggestions, list) or not all(isinstance(item, str) for item in suggestions):
            raise PlannerAnswerRejected("ask_user suggestions are not a list of strings")
        return PlanDecision(
            kind="clarify",
            question=_text(arguments, "question"),
            suggestions=[item.strip()[:MAX_TEXT] for item in suggestions if item.strip()][:MAX_SUGGESTIONS],
            planner=planner,
        )
    raise PlannerAnswerRejected(f"the model called an unknown tool {name!r}")


class _LLMPlanner(Planner):
    """Shared options, the retry loop and the fallback. Subclasses implement `_ask` and `_ping`.

    OPTIONS: api_key, base_url, model, timeout (seconds), retries (extra tries after a 429, a 5xx or a
    lost connection; a timeout falls back at once, as the person has already waited), check_timeout (15
    seconds for `check()`), and the shared retry settings of `RetryPolicy.from_options` (backoff_seconds,
    max_backoff_seconds; for tests `sleep` and `random`).
    """

    default_model: ClassVar[str] = ""
    key_setting: ClassVar[str] = ""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.api_key = str(options.get("api_key") or "")
        if not self.api_key:
            raise ImproperlyConfigured(f"the {self.name} planner needs an API key ({self.key_setting})")
        base_url = options.get("base_url")
        self.base_url: str | None = str(base_url) if base_url else None
        self.model_id = str(options.get("model") or self.default_model)
        self.timeout = float(options.get("timeout", 60))
        self.check_timeout = float(options.get("check_timeout", 15))
        self.retry_policy = RetryPolicy.from_options(options)
        self.retries = self.retry_policy.retries
        if self.timeout <= 0 or self.check_timeout <= 0:
            raise ImproperlyConfigured(
                f"the {self.name} planner's timeouts must be positive, not {self.timeout} and {self.check_timeout}"
            )
        if self.retries < 0:
            raise ImproperlyConfigured(f"the {self.name} planner's retries cannot be negative, not {self.retries}")

    @property
    def third_party(self) -> bool:  # type: ignore[override]  # per instance: depends on where base_url points
        """A model on this machine (llama.cpp, vLLM, Ollama on localhost) is private; anything else is not."""
        if self.base_url is None:
            return True
        return (urlsplit(self.base_url).hostname or "") not in LOCAL_HOSTS

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model_id,
            "third_party": self.third_party,
            "base_url": public_url(self.base_url) if self.base_url else "",
        }

    def decide(self, instruction: str, *, image_size: tuple[int, int] | None = None) -> PlanDecision:
        try:
            return self._ask(instruction, image_size)
        except (PlannerAnswerRejected, ProviderError) as error:
            reason = str(error)
        except Exception as error:
            # The person's request must not fail because an optional planner did something unforeseen; the
            # built-in planner can always answer, and the traceback goes to the log.
            logger.exception("%s planner failed unexpectedly", self.name)
            reason = f"the planner failed unexpectedly ({type(error).__name__})"
        logger.warning("%s planner (%s) fell back to the built-in planner: %s", self.name, self.model_id, reason)
        decision = BuiltinPlanner().decide(instruction, image_size=image_size)
        decision.fallback = reason
        return decision

    def check(self) -> str:
        try:
            self._ping()
        except ProviderTimeout:
            waited = min(self.timeout, self.check_timeout)
            raise ProviderTimeout(f"the planner did not answer within {waited:g} seconds", retryable=True) from None
        return f"ok: {self.model_id}"

    def _ask(self, instruction: str, image_size: tuple[int, int] | None) -> PlanDecision:
        raise NotImplementedError

    def _ping(self) -> None:
        raise NotImplementedError

    def _failure(self, error: Exception) -> tuple[ProviderError, float | None] | None:
        """Map an SDK exception to (our error, Retry-After seconds); None when it is not an API failure."""
        raise NotImplementedError

    def _with_retries(self, request: Callable[[], T], *, retries: int | None = None) -> T:
        result, _ = call_with_retries(
            request, policy=self.retry_policy, classify=self._classify, retries=retries, label=f"{self.name} planner"
        )
        return result

    def _classify(self, error: Exception) -> Failure | None:
        mapped = self._failure(error)
        if mapped is None:
            return None
        failure, wait_hint = mapped
        return Failure(failure, retry=failure.retryable and not isinstance(failure, ProviderTimeout), asked=wait_hint)


class OpenAIChatPlanner(_LLMPlanner):
    """Any OpenAI-compatible chat completions endpoint with tool calling (OpenAI, llama.cpp, vLLM, Ollama)."""

    name = "openai"
    default_model = "gpt-4.1-mini"
    key_setting = "NANOBANANAS_PLANNER_API_KEY or NANOBANANAS_OPENAI_API_KEY"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._client: OpenAI | None = None

    @property
    def client(self) -> OpenAI:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                api_key=self.api_key,
                base_url=self.base_url or "https://api.openai.com/v1",
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    def _ask(self, instruction: str, image_size: tuple[int, int] | None) -> PlanDecision:
        tools: Any = [{"type": "function", "function": definition} for definition in tool_definitions()]
        messages: Any = [
            {"role": "system", "content": system_prompt()},
            {"role": "user", "content": user_message(instruction, image_size)},
        ]
        response = self._with_retries(
            lambda: self.client.chat.completions.create(
                model=self.model_id, messages=messages, tools=tools, tool_choice="required"
            )
        )
        if not response.choices:
            raise PlannerAnswerRejected("the model returned no answer")
        calls = response.choices[0].message.tool_calls or []
        call = next((call for call in calls if call.type == "function"), None)
        if call is None:
            raise PlannerAnswerRejected("the model answered without calling a tool")
        try:
            arguments = json.loads(call.function.arguments or "{}")
        except json.JSONDecodeError:
            raise PlannerAnswerRejected(f"the {call.function.name} arguments are not valid JSON") from None
        return decision_from_tool_call(call.function.name, arguments, planner=self.name, model=self.model_id)

    def _ping(self) -> None:
        timeout = min(self.timeout, self.check_timeout)
        self._with_retries(lambda: self.client.models.retrieve(self.model_id, timeout=timeout), retries=0)

    def _failure(self, error: Exception) -> tuple[ProviderError, float | None] | None:
        import openai

        if isinstance(error, openai.APITimeoutError):
            return ProviderTimeout(f"the planner did not answer within {self.timeout:g} seconds", retryable=True), None
        if isinstance(error, openai.APIConnectionError):
            return ProviderError(f"the planner could not be reached: {error.message}", retryable=True), None
        if isinstance(error, openai.APIStatusError):
            status = error.status_code
            hint = retry_after_seconds(error.response.headers)
            if status == 401:
                return ProviderError("the planner did not accept the API key"), None
            body = error.body
            message = body.get("message") if isinstance(body, dict) else None
            text = f"the planner answered {status}: {message or error.message}"
            return ProviderError(text, retryable=retryable_status(status)), hint
        return None


class GeminiPlanner(_LLMPlanner):
    """Gemini text models through google-genai, with function declarations and function calling mode ANY."""

    name = "gemini"
    default_model = "gemini-2.5-flash"
    key_setting = "NANOBANANAS_GEMINI_API_KEY"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._client: GeminiClient | None = None

    @property
    def client(self) -> GeminiClient:
        if self._client is None:
            from google import genai
            from google.genai import types

            # Without retry_options the SDK tries once: our loop counts tries and honours Retry-After.
            self._client = genai.Client(
                api_key=self.api_key,
                vertexai=False,
                http_options=types.HttpOptions(base_url=self.base_url, timeout=round(self.timeout * 1000)),
            )
        return self._client

    def _ask(self, instruction: str, image_size: tuple[int, int] | None) -> PlanDecision:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system_prompt(),
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name=definition["name"],
                            description=definition["description"],
                            parameters_json_schema=definition["parameters"],
                        )
                        for definition in tool_definitions()
                    ]
                )
            ],
            tool_config=types.ToolConfig(
                function_calling_config=types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode.ANY)
            ),
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        response = self._with_retries(
            lambda: self.client.models.generate_content(
                model=self.model_id, contents=user_message(instruction, image_size), config=config
            )
        )
        calls = response.function_calls or []
        if not calls:
            raise PlannerAnswerRejected("the model answered without calling a tool")
        call = calls[0]
        return decision_from_tool_call(call.name or "", call.args, planner=self.name, model=self.model_id)

    def _ping(self) -> None:
        from google.genai import types

        # Unset fields (the base URL) keep the client's values.
        config = types.GetModelConfig(
            http_options=types.HttpOptions(timeout=round(min(self.timeout, self.check_timeout) * 1000))
        )
        self._with_retries(lambda: self.client.models.get(model=self.model_id, config=config), retries=0)

    def _failure(self, error: Exception) -> tuple[ProviderError, float | None] | None:
        import httpx2
        import pydantic
        from google.genai import errors

        if isinstance(error, httpx2.TimeoutException):
            return ProviderTimeout(f"the planner did not answer within {self.timeout:g} seconds", retryable=True), None
        if isinstance(error, httpx2.TransportError):
            return ProviderError(f"the planner could not be reached: {error}", retryable=True), None
        if isinstance(error, pydantic.ValidationError):
            return ProviderError(f"the planner's answer could not be read: {error.error_count()} problems"), None
        if isinstance(error, errors.APIError):
            status = int(error.code or 0)
            headers = getattr(error.response, "headers", None)
            hint = retry_after_seconds(headers)
            if status in {401, 403} or "API_KEY_INVALID" in json.dumps(error.details, default=str):
                return ProviderError("the planner did not accept the API key"), None
            text = f"the planner answered {status}: {error.message or error.status}"
            return ProviderError(text, retryable=retryable_status(status)), hint
        return None
