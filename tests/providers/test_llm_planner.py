"""LLM planners against local servers (OpenAI chat completions, Gemini generateContent) with the real SDKs."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from nanobananas.engine.ops import all_operations
from nanobananas.providers.base import ProviderError
from nanobananas.providers.llm_planner import (
    GeminiPlanner,
    OpenAIChatPlanner,
    PlannerAnswerRejected,
    decision_from_tool_call,
    plan_parameters_schema,
    system_prompt,
)
from nanobananas.providers.planning import BuiltinPlanner, PlanDecision, Planner, planner
from tests.providers import gemini_server as gemini
from tests.providers.openai_server import API_KEY as OPENAI_KEY
from tests.providers.openai_server import (
    OpenAIServer,
    Reply,
    chat_text,
    hang,
    rate_limited,
    server_error,
    tool_call,
)

OPENAI_MODEL = "gpt-4.1-mini"
GEMINI_MODEL = "gemini-2.5-flash"
SIZE = (640, 480)
BRIGHTER = {"steps": [{"op": "brightness", "params": {"amount": 0.3}}]}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class OpenAIHarness:
    """Drives OpenAIChatPlanner against the OpenAI test server."""

    name = "openai"
    model = OPENAI_MODEL

    def __init__(self, server: OpenAIServer) -> None:
        self.server = server
        self.sleeps = Sleeps()

    def planner(self, **options: Any) -> OpenAIChatPlanner:
        settings = {
            "api_key": OPENAI_KEY,
            "base_url": self.server.base_url,
            "model": OPENAI_MODEL,
            "timeout": 10,
            "retries": 0,
            "sleep": self.sleeps,
            **options,
        }
        return OpenAIChatPlanner(**settings)

    def call(self, name: str, arguments: Any) -> None:
        self.server.script(tool_call(name, arguments))

    def text(self, words: str) -> None:
        self.server.script(chat_text(words))

    def fail(self, status: int) -> None:
        self.server.script(server_error(status))

    def rate_limit(self, retry_after: str) -> None:
        self.server.script(rate_limited(retry_after))

    def hang(self) -> None:
        self.server.script(hang())

    def calls(self) -> list[Any]:
        return [request.json for request in self.server.posts("/v1/chat/completions")]

    def tools(self, body: Any) -> dict[str, Any]:
        assert body["tool_choice"] == "required"
        assert all(tool["type"] == "function" for tool in body["tools"])
        return {tool["function"]["name"]: tool["function"] for tool in body["tools"]}

    def parameters(self, tool: dict[str, Any]) -> Any:
        return tool["parameters"]


def gemini_call(name: str, arguments: Any) -> gemini.Reply:
    part = {"functionCall": {"name": name, "args": arguments}}
    return gemini.Reply(
        {
            "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 20, "totalTokenCount": 920},
            "modelVersion": GEMINI_MODEL,
        }
    )


class GeminiHarness:
    """Drives GeminiPlanner against the Gemini test server."""

    name = "gemini"
    model = GEMINI_MODEL

    def __init__(self, server: gemini.GeminiServer) -> None:
        self.server = server
        self.server.models.add(GEMINI_MODEL)
        self.sleeps = Sleeps()

    def planner(self, **options: Any) -> GeminiPlanner:
        settings = {
            "api_key": gemini.API_KEY,
            "base_url": self.server.url,
            "model": GEMINI_MODEL,
            "timeout": 10,
            "retries": 0,
            "sleep": self.sleeps,
            **options,
        }
        return GeminiPlanner(**settings)

    def call(self, name: str, arguments: Any) -> None:
        self.server.script(gemini_call(name, arguments))

    def text(self, words: str) -> None:
        self.server.script(gemini.text_only(words))

    def fail(self, status: int) -> None:
        self.server.script(gemini.server_error(status))

    def rate_limit(self, retry_after: str) -> None:
        self.server.script(gemini.rate_limited(retry_after))

    def hang(self) -> None:
        self.server.script(gemini.hang(3))

    def calls(self) -> list[Any]:
        return [request.json for request in self.server.calls(":generateContent")]

    def tools(self, body: Any) -> dict[str, Any]:
        assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
        [tool] = body["tools"]
        return {declaration["name"]: declaration for declaration in tool["functionDeclarations"]}

    def parameters(self, tool: dict[str, Any]) -> Any:
        return tool["parameters_json_schema"] if "parameters_json_schema" in tool else tool["parametersJsonSchema"]


Harness = OpenAIHarness | GeminiHarness


@pytest.fixture(params=["openai", "gemini"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "openai":
        server = OpenAIServer()
        server.start()
        try:
            yield OpenAIHarness(server)
        finally:
            server.close()
    else:
        gemini_server = gemini.GeminiServer()
        gemini_server.start()
        try:
            yield GeminiHarness(gemini_server)
        finally:
            gemini_server.stop()


def builtin_with_fallback(instruction: str, reason: str, image_size: tuple[int, int] | None = SIZE) -> PlanDecision:
    decision = BuiltinPlanner().decide(instruction, image_size=image_size)
    decision.fallback = reason
    return decision


# --- decisions ----------------------------------------------------------------------------------------------


def test_a_valid_plan_is_a_builtin_decision_named_after_the_planner_and_model(harness: Harness) -> None:
    harness.call("run_plan", BRIGHTER)

    decision = harness.planner().decide("make it brighter", image_size=SIZE)

    assert decision == PlanDecision(
        kind="builtin",
        plan={
            "steps": [{"op": "brightness", "params": {"amount": 0.3}}],
            "output": None,
            "planner": harness.name,
            "planner_version": harness.model,
        },
        planner=harness.name,
    )
    assert len(harness.calls()) == 1


def test_the_planner_sets_planner_and_version_itself_and_output_settings_pass(harness: Harness) -> None:
    harness.call(
        "run_plan",
        {
            "steps": [{"op": "grayscale", "params": {}}, {"op": "rotate", "params": {"degrees": 90}}],
            "output": {"format": "webp", "quality": 80},
            "planner": "builtin",
            "planner_version": "1",
        },
    )

    decision = harness.planner().decide("black and white, turned right, as webp")

    assert decision.kind == "builtin"
    assert decision.plan is not None
    assert [step["op"] for step in decision.plan["steps"]] == ["grayscale", "rotate"]
    assert decision.plan["output"] == {"format": "webp", "quality": 80, "max_bytes": None, "strip_metadata": True}
    assert (decision.plan["planner"], decision.plan["planner_version"]) == (harness.name, harness.model)
    assert decision.fallback == ""


def test_needs_generation_is_a_generative_decision(harness: Harness) -> None:
    harness.call("needs_generation", {"reason": "a cat has to be painted in where the dog is"})

    decision = harness.planner().decide("replace the dog with a cat", image_size=SIZE)

    assert decision == PlanDecision(
        kind="generative", reason="a cat has to be painted in where the dog is", planner=harness.name
    )


def test_ask_user_is_a_clarify_decision(harness: Harness) -> None:
    harness.call("ask_user", {"question": "Brighter or more colourful?", "suggestions": ["brighter", "more vivid"]})

    decision = harness.planner().decide("make it pop", image_size=SIZE)

    assert decision == PlanDecision(
        kind="clarify",
        question="Brighter or more colourful?",
        suggestions=["brighter", "more vivid"],
        planner=harness.name,
    )


@pytest.mark.parametrize(
    ("tool", "arguments", "instruction", "reason"),
    [
        (
            "run_plan",
            {"steps": [{"op": "make_it_pop", "params": {}}]},
            "make it brighter",
            "the plan is not valid: step 1: unknown operation 'make_it_pop'",
        ),
        (
            "run_plan",
            {"steps": [{"op": "brightness", "params": {"amount": 99}}]},
            "make it brighter",
            "the plan is not valid: step 1: invalid parameters for 'brightness': amount: "
            "Input should be less than or equal to 5",
        ),
        (
            "run_plan",
            {"steps": [{"op": "brightness", "params": {"amount": 0.2, "glow": True}}]},
            "make it brighter",
            "the plan is not valid: step 1: invalid parameters for 'brightness': glow: Extra inputs are not permitted",
        ),
        ("run_plan", {"steps": []}, "make it black and white", "the plan has no steps"),
        (
            "run_plan",
            {"steps": "grayscale"},
            "make it black and white",
            "the plan does not match the schema: steps: Input should be a valid list",
        ),
        ("paint_it", {"colour": "blue"}, "make it black and white", "the model called an unknown tool 'paint_it'"),
        ("needs_generation", {"reason": "  "}, "replace the dog with a cat", "reason is missing or empty"),
        (
            "ask_user",
            {"question": "Which one?", "suggestions": "brighter"},
            "blargh",
            "ask_user suggestions are not a list of strings",
        ),
    ],
)
def test_an_invalid_tool_call_falls_back_to_the_builtin_planner(
    harness: Harness, tool: str, arguments: Any, instruction: str, reason: str
) -> None:
    harness.call(tool, arguments)

    decision = harness.planner().decide(instruction, image_size=SIZE)

    assert decision == builtin_with_fallback(instruction, reason)
    assert decision.planner == "builtin"


def test_an_answer_in_words_without_a_tool_call_falls_back(harness: Harness) -> None:
    harness.text("Sure! I would make it brighter.")

    decision = harness.planner().decide("make it brighter", image_size=SIZE)

    assert decision == builtin_with_fallback("make it brighter", "the model answered without calling a tool")


def test_malformed_json_arguments_fall_back(openai_server: OpenAIServer) -> None:
    harness = OpenAIHarness(openai_server)
    harness.call("run_plan", '{"steps": [{"op": "grayscale", "params": {}}')

    decision = harness.planner().decide("make it black and white", image_size=SIZE)

    assert decision == builtin_with_fallback("make it black and white", "the run_plan arguments are not valid JSON")


def test_arguments_that_are_not_an_object_fall_back(openai_server: OpenAIServer) -> None:
    harness = OpenAIHarness(openai_server)
    harness.call("run_plan", '["grayscale"]')

    decision = harness.planner().decide("make it black and white", image_size=SIZE)

    assert decision == builtin_with_fallback("make it black and white", "the run_plan arguments are not a JSON object")


def test_a_gemini_answer_the_sdk_cannot_read_falls_back(gemini_server: gemini.GeminiServer) -> None:
    harness = GeminiHarness(gemini_server)
    harness.call("run_plan", "steps: grayscale")

    decision = harness.planner().decide("make it black and white", image_size=SIZE)

    assert decision.kind == "builtin"
    assert decision.plan == BuiltinPlanner().decide("make it black and white", image_size=SIZE).plan
    assert decision.fallback.startswith("the planner's answer could not be read")


def test_a_server_error_falls_back_after_exactly_one_try_without_retries(harness: Harness) -> None:
    harness.fail(500)

    decision = harness.planner(retries=0).decide("make it brighter", image_size=SIZE)

    assert decision.kind == "builtin"
    assert decision.plan == BuiltinPlanner().decide("make it brighter", image_size=SIZE).plan
    assert decision.fallback.startswith("the planner answered 500: ")
    assert len(harness.calls()) == 1
    assert harness.sleeps == []


def test_a_busy_planner_is_retried_within_the_bound(harness: Harness) -> None:
    harness.rate_limit("4")
    harness.fail(503)
    harness.call("run_plan", BRIGHTER)

    decision = harness.planner(retries=2).decide("make it brighter", image_size=SIZE)

    assert decision.planner == harness.name
    assert decision.fallback == ""
    assert len(harness.calls()) == 3
    assert harness.sleeps[0] == 4.0
    assert 2.0 <= harness.sleeps[1] < 3.0


def test_retries_run_out_and_the_builtin_planner_decides(harness: Harness) -> None:
    harness.fail(500)
    harness.fail(502)

    decision = harness.planner(retries=1).decide("make it brighter", image_size=SIZE)

    assert decision.fallback.startswith("the planner answered 502: ")
    assert decision.planner == "builtin"
    assert len(harness.calls()) == 2
    assert len(harness.sleeps) == 1


def test_a_planner_asking_to_wait_more_than_a_minute_is_not_waited_for(harness: Harness) -> None:
    harness.rate_limit("300")
    harness.call("run_plan", BRIGHTER)

    decision = harness.planner(retries=3).decide("make it brighter", image_size=SIZE)

    assert decision.planner == "builtin"
    assert decision.fallback.startswith("the planner answered 429: ")
    assert len(harness.calls()) == 1
    assert harness.sleeps == []


def test_a_timeout_falls_back_at_once_without_retrying(harness: Harness) -> None:
    harness.hang()
    started = time.monotonic()

    decision = harness.planner(timeout=0.3, retries=3).decide("make it brighter", image_size=SIZE)

    assert time.monotonic() - started < 3
    assert decision == builtin_with_fallback("make it brighter", "the planner did not answer within 0.3 seconds")
    assert len(harness.calls()) == 1
    assert harness.sleeps == []


def test_a_wrong_key_falls_back_and_says_why(harness: Harness) -> None:
    decision = harness.planner(api_key="wrong-key").decide("make it brighter", image_size=SIZE)

    assert decision == builtin_with_fallback("make it brighter", "the planner did not accept the API key")


def test_the_fallback_is_logged(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.text("no tools today")

    with caplog.at_level(logging.WARNING, logger="nanobananas.providers.llm_planner"):
        harness.planner().decide("make it brighter")

    assert [record.getMessage() for record in caplog.records] == [
        f"{harness.name} planner ({harness.model}) fell back to the built-in planner: "
        "the model answered without calling a tool"
    ]


# --- what is sent -------------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_the_tools_sent_are_the_plan_schema_with_the_registrys_op_names(harness: Harness) -> None:
    harness.call("run_plan", BRIGHTER)

    harness.planner().decide("make it brighter", image_size=SIZE)

    [body] = harness.calls()
    tools = harness.tools(body)
    assert list(tools) == ["run_plan", "needs_generation", "ask_user"]
    run_plan = harness.parameters(tools["run_plan"])
    assert run_plan == plan_parameters_schema()
    op = run_plan["properties"]["steps"]["items"]["properties"]["op"]
    assert op["enum"] == sorted(all_operations())
    assert op["enum"] == list(all_operations())
    assert set(run_plan["properties"]) == {"steps", "output"}
    assert run_plan["required"] == ["steps"]
    assert "$ref" not in _walk(run_plan)
    assert "$defs" not in _walk(run_plan)
    assert harness.parameters(tools["needs_generation"]) == {
        "type": "object",
        "properties": {"reason": {"type": "string", "description": "why, in one short sentence"}},
        "required": ["reason"],
    }
    assert harness.parameters(tools["ask_user"])["required"] == ["question", "suggestions"]


def test_the_system_prompt_lists_every_op_with_its_schema_and_prefers_the_engine() -> None:
    prompt = system_prompt()

    assert "cheap, fast and private" in prompt
    for name, operation in all_operations().items():
        line = next(line for line in prompt.splitlines() if line.startswith(f"- {name}: "))
        schema = json.loads(line.split(". Parameters: ", 1)[1])
        assert schema["properties"].keys() == operation.params_model.model_json_schema().get("properties", {}).keys()
        assert operation.summary in line


def test_only_the_instruction_and_the_image_size_are_sent_to_openai(openai_server: OpenAIServer) -> None:
    harness = OpenAIHarness(openai_server)
    harness.call("run_plan", BRIGHTER)

    harness.planner().decide("make it brighter", image_size=SIZE)

    [body] = harness.calls()
    assert set(body) == {"model", "messages", "tools", "tool_choice"}
    assert body["model"] == OPENAI_MODEL
    assert body["messages"] == [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": "The image is 640x480 pixels.\nThe request: make it brighter"},
    ]
    [request] = openai_server.posts("/v1/chat/completions")
    assert "cookie" not in request.headers
    assert "openai-organization" not in request.headers


def test_only_the_instruction_and_the_image_size_are_sent_to_gemini(gemini_server: gemini.GeminiServer) -> None:
    harness = GeminiHarness(gemini_server)
    harness.call("run_plan", BRIGHTER)

    harness.planner().decide("make it brighter")

    [request] = gemini_server.calls(":generateContent")
    assert request.path.endswith(f"/models/{GEMINI_MODEL}:generateContent")
    body = request.json
    assert set(body) <= {"contents", "systemInstruction", "tools", "toolConfig", "generationConfig"}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "The request: make it brighter"}]}]
    assert body["systemInstruction"]["parts"] == [{"text": system_prompt()}]
    assert request.headers["x-goog-api-key"] == gemini.API_KEY


# --- who the planner is -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "third_party"),
    [
        (None, True),
        ("https://api.openai.com/v1", True),
        ("https://llm.example.com/v1", True),
        ("http://localhost:8080/v1", False),
        ("http://127.0.0.1:11434/v1", False),
        ("http://[::1]:8000/v1", False),
        ("http://localhost.example.com/v1", True),
    ],
)
@pytest.mark.parametrize("planner_class", [OpenAIChatPlanner, GeminiPlanner])
def test_a_planner_on_this_machine_is_not_a_third_party(
    planner_class: type[Planner], base_url: str | None, third_party: bool
) -> None:
    instance = planner_class(api_key="key", base_url=base_url, model="some-model")

    assert instance.third_party is third_party
    assert instance.describe() == {
        "name": planner_class.name,
        "model": "some-model",
        "third_party": third_party,
        "base_url": base_url or "",
    }


def test_describe_never_shows_credentials_in_the_endpoint() -> None:
    instance = OpenAIChatPlanner(api_key="sk-secret", base_url="https://user:pass@llm.example.com/v1?key=k")

    assert instance.describe()["base_url"] == "https://llm.example.com/v1"
    assert "secret" not in repr(instance.describe())


def test_check_is_a_cheap_model_lookup(harness: Harness) -> None:
    assert harness.planner().check() == f"ok: {harness.model}"

    assert harness.calls() == []
    [request] = harness.server.requests
    assert request.method == "GET"
    assert request.path.endswith(f"/models/{harness.model}")


def test_check_gives_up_after_the_check_timeout(openai_server: OpenAIServer) -> None:
    instance = OpenAIHarness(openai_server).planner(timeout=60, check_timeout=0.3)
    openai_server.answer = lambda request: Reply(hang=True)  # type: ignore[method-assign]
    started = time.monotonic()

    with pytest.raises(ProviderError, match=r"^the planner did not answer within 0\.3 seconds$"):
        instance.check()

    assert time.monotonic() - started < 5


def test_check_with_a_bad_key_is_a_provider_error(harness: Harness) -> None:
    with pytest.raises(ProviderError, match="the planner did not accept the API key"):
        harness.planner(api_key="wrong-key").check()


@pytest.mark.parametrize("planner_class", [OpenAIChatPlanner, GeminiPlanner])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"api_key": ""}, "needs an API key"),
        ({"timeout": -1}, "timeouts must be positive"),
        ({"check_timeout": 0}, "timeouts must be positive"),
        ({"retries": -2}, "cannot"),
    ],
)
def test_bad_options_are_a_configuration_error(
    planner_class: type[Planner], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        planner_class(**{"api_key": "key", **options})


def test_the_settings_alias_builds_the_planner(openai_server: OpenAIServer, settings: Any) -> None:
    settings.PLANNERS = {
        "openai": {
            "BACKEND": "nanobananas.providers.llm_planner.OpenAIChatPlanner",
            "OPTIONS": {"api_key": OPENAI_KEY, "base_url": openai_server.base_url, "model": OPENAI_MODEL},
        }
    }
    openai_server.script(tool_call("run_plan", BRIGHTER))

    decision = planner("openai").decide("make it brighter")

    assert decision.planner == "openai"


# --- reading a tool call ------------------------------------------------------------------------------------


def test_long_texts_are_cut_and_suggestions_limited() -> None:
    decision = decision_from_tool_call(
        "ask_user",
        {"question": "Q" * 900, "suggestions": [f"option {n}" for n in range(10)] + ["  "]},
        planner="openai",
        model="m",
    )

    assert len(decision.question) == 500
    assert decision.suggestions == [f"option {n}" for n in range(6)]


def test_a_reply_that_is_not_a_completion_falls_back(openai_server: OpenAIServer) -> None:
    harness = OpenAIHarness(openai_server)
    openai_server.script(lambda request: Reply(body={"id": "x", "object": "chat.completion", "choices": []}))

    decision = harness.planner().decide("make it brighter", image_size=SIZE)

    assert decision == builtin_with_fallback("make it brighter", "the model returned no answer")


def test_a_missing_tool_argument_is_rejected() -> None:
    with pytest.raises(PlannerAnswerRejected, match="question is missing or empty"):
        decision_from_tool_call("ask_user", {"suggestions": []}, planner="gemini", model="m")
