"""An LLM planner in the studio: its plan runs on the built-in engine; a bad answer falls back; an owner
who keeps content away from third parties is planned for on this server."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.providers.llm_planner import OpenAIChatPlanner
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job
from nanobananas.studio.services import IncomingFile, message_send
from tests.providers.openai_server import API_KEY, OpenAIServer, tool_call

pytestmark = [pytest.mark.django_db, pytest.mark.database]


class CloudChatPlanner(OpenAIChatPlanner):
    """The local test server stands in for a planner at a third party (one on localhost would not be)."""

    @property
    def third_party(self) -> bool:  # type: ignore[override]
        return True


@pytest.fixture
def llm() -> Iterator[OpenAIServer]:
    server = OpenAIServer()
    server.start()
    planners = {
        "builtin": {"BACKEND": "nanobananas.providers.planning.BuiltinPlanner", "OPTIONS": {}},
        "openai": {
            "BACKEND": "tests.studio.test_planner_routing.CloudChatPlanner",
            "OPTIONS": {"api_key": API_KEY, "base_url": server.base_url, "model": "gpt-4.1-mini", "retries": 0},
        },
    }
    try:
        with override_settings(PLANNERS=planners, NANOBANANAS={**settings.NANOBANANAS, "PLANNER": "openai"}):
            yield server
    finally:
        server.close()


def _turn(owner: Owner, conversation: Conversation, text: str) -> Job:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, format="PNG")
    _, job = message_send(
        owner=owner, conversation_id=conversation.id, text=text, files=[IncomingFile("p.png", buffer.getvalue())]
    )
    assert job is not None
    job_run(job_id=job.id)
    job.refresh_from_db()
    return job


def test_the_llm_plan_runs_on_the_engine(llm: OpenAIServer, guest_owner: Owner, conversation: Conversation) -> None:
    llm.script(tool_call("run_plan", {"steps": [{"op": "rotate", "params": {"degrees": 90}}]}))
    job = _turn(guest_owner, conversation, "turn it on its side please")
    assert job.status == "done"
    asset = Asset.objects.get(job=job)
    assert (asset.width, asset.height, asset.provider) == (30, 40, "fake")
    assert asset.plan is not None
    assert (asset.plan["planner"], [s["op"] for s in asset.plan["steps"]]) == ("openai", ["rotate"])
    [request] = llm.posts("/v1/chat/completions")
    assert "turn it on its side please" in str(request.json["messages"])


def test_a_hallucinated_op_falls_back_to_the_built_in_planner(
    llm: OpenAIServer, guest_owner: Owner, conversation: Conversation
) -> None:
    llm.script(tool_call("run_plan", {"steps": [{"op": "make_it_pop", "params": {}}]}))
    job = _turn(guest_owner, conversation, "make it black and white")
    assert job.status == "done"
    asset = Asset.objects.get(job=job)
    assert asset.plan is not None
    assert (asset.plan["planner"], [s["op"] for s in asset.plan["steps"]]) == ("builtin", ["grayscale"])


def test_an_owner_who_keeps_content_here_is_planned_for_here(
    llm: OpenAIServer, guest_owner: Owner, conversation: Conversation
) -> None:
    privacy_settings_update(guest_owner, third_party_ai=False)
    job = _turn(guest_owner, conversation, "make it black and white")
    assert job.status == "done"
    assert llm.requests == []
