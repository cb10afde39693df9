"""A local HTTP server on 127.0.0.1 that speaks the OpenAI REST shapes the SDK uses, for tests.

Endpoints: POST /v1/images/generations (JSON), POST /v1/images/edits (multipart with `image[]` parts and
`mask`), GET /v1/models/{model}, POST /v1/chat/completions. Every request needs `Authorization: Bearer
<key>` (a wrong key gets the real 401 body) and is recorded: method, path, headers, raw body, parsed JSON
or multipart parts. What a POST answers is scripted: `server.script(ok_image(), rate_limited(), ...)`
queues one behaviour per request; with the queue empty an images request gets an image of the size asked
for and a chat request gets a 500 saying nothing was scripted (so a test never passes by accident).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

__all__ = [
    "API_KEY",
    "BAND_COLOURS",
    "Behaviour",
    "OpenAIServer",
    "Part",
    "Recorded",
    "Reply",
    "ScriptedServer",
    "bad_request",
    "chat_text",
    "corrupt_image",
    "hang",
    "moderation_blocked",
    "ok_image",
    "rate_limited",
    "server_error",
    "tool_call",
]

API_KEY = "sk-test-nanobananas"
# The default image: three horizontal bands, so a test can tell how a result was cropped and scaled.
BAND_COLOURS = ((220, 30, 30), (30, 200, 60), (40, 60, 230))


@dataclass(frozen=True)
class Part:
    """One part of a multipart body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    parts: list[Part] = field(default_factory=list)

    def fields(self) -> dict[str, str]:
        """Multipart text fields (parts without a filename) by name."""
        return {part.name: part.data.decode() for part in self.parts if part.filename is None}

    def files(self, name: str) -> list[Part]:
        """Multipart file parts called `name`, in the order sent."""
        return [part for part in self.parts if part.name == name and part.filename is not None]

    def field_value(self, name: str) -> Any:
        """A field from the JSON body or the multipart text fields."""
        if isinstance(self.json, dict):
            return self.json.get(name)
        return self.fields().get(name)


@dataclass
class Reply:
    """What to answer: a status, a JSON body (or raw bytes), headers; `hang` answers nothing."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


Behaviour = Callable[[Recorded], Reply]


def _error(status: int, message: str, type_: str, code: str | None, param: str | None = None) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": type_, "param": param, "code": code}})


def png_bytes(size: tuple[int, int]) -> bytes:
    """The default result image at `size`: red, green and blue bands from top to bottom."""
    width, height = size
    image = Image.new("RGB", size, BAND_COLOURS[0])
    image.paste(BAND_COLOURS[1], (0, height // 3, width, 2 * height // 3))
    image.paste(BAND_COLOURS[2], (0, 2 * height // 3, width, height))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _asked_size(request: Recorded) -> tuple[int, int]:
    asked = str(request.field_value("size") or "auto")
    match = re.fullmatch(r"(\d+)x(\d+)", asked)
    return (int(match.group(1)), int(match.group(2))) if match else (1024, 1024)


def ok_image(data: bytes | None = None) -> Behaviour:
    """A successful images response; `data` (PNG bytes) defaults to the band image at the size asked for."""

    def reply(request: Recorded) -> Reply:
        encoded = base64.b64encode(data if data is not None else png_bytes(_asked_size(request))).decode()
        return Reply(
            body={
                "created": int(time.time()),
                "background": "opaque",
                "data": [{"b64_json": encoded}],
                "output_format": request.field_value("output_format") or "png",
                "quality": "medium",
                "size": request.field_value("size") or "1024x1024",
                "usage": {
                    "input_tokens": 50,
                    "input_tokens_details": {"image_tokens": 40, "text_tokens": 10},
                    "output_tokens": 1056,
                    "total_tokens": 1106,
                },
            }
        )

    return reply


def corrupt_image() -> Behaviour:
    """A 200 whose b64_json decodes to bytes that are not an image."""
    encoded = base64.b64encode(b"\x89PNG\r\n\x1a\n this is not the rest of a PNG").decode()
    return lambda request: Reply(body={"created": int(time.time()), "data": [{"b64_json": encoded}]})


def moderation_blocked() -> Behaviour:
    """The real 400 the images API sends when its safety system blocks a request."""
    return lambda request: _error(
        400,
        "Your request was rejected as a result of our safety system. Your request may contain content that is "
        "not allowed by our safety system.",
        "image_generation_user_error",
        "moderation_blocked",
    )


def bad_request(
    message: str = "Invalid size '333x333'. Supported sizes are 1024x1024, 1024x1536, 1536x1024, and auto.",
    *,
    param: str | None = "size",
) -> Behaviour:
    return lambda request: _error(400, message, "invalid_request_error", "invalid_value", param)


def rate_limited(retry_after: str | None = "2") -> Behaviour:
    def reply(request: Recorded) -> Reply:
        answer = _error(
            429,
            "Rate limit reached for gpt-image-1 on images per minute (IPM): Limit 5, Used 5, Requested 1.",
            "requests",
            "rate_limit_exceeded",
        )
        if retry_after is not None:
            answer.headers["Retry-After"] = retry_after
        return answer

    return reply


def server_error(status: int = 500) -> Behaviour:
    return lambda request: _error(
        status, "The server had an error while processing your request. Sorry about that!", "server_error", None
    )


def hang() -> Behaviour:
    """Answer nothing until the server closes (the client's timeout must end the wait)."""
    return lambda request: Reply(hang=True)


def _completion(request: Recorded, message: dict[str, Any], finish_reason: str) -> Reply:
    model = request.json.get("model") if isinstance(request.json, dict) else "unknown"
    return Reply(
        body={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 30, "total_tokens": 930},
        }
    )


def tool_call(name: str, arguments: str | dict[str, Any]) -> Behaviour:
    """A chat completion whose assistant message calls the tool `name`; `arguments` as given (a str is
    sent verbatim, so a test can send malformed JSON)."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)

    def reply(request: Recorded) -> Reply:
        message = {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [{"id": "call_test_1", "type": "function", "function": {"name": name, "arguments": text}}],
        }
        return _completion(request, message, "tool_calls")

    return reply


def chat_text(content: str) -> Behaviour:
    """A chat completion that answers in words and calls no tool."""
    return lambda request: _completion(request, {"role": "assistant", "content": content, "refusal": None}, "stop")


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Split a multipart/form-data body into its parts with the standard library's MIME parser."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("the body is not multipart")
    parts = []
    for part in message.iter_parts():  # type: ignore[attr-defined]  # policy.HTTP builds EmailMessage
        payload = part.get_payload(decode=True)
        parts.append(
            Part(
                name=str(part.get_param("name", header="content-disposition")),
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                data=bytes(payload),
            )
        )
    return parts


class ScriptedServer:
    """A threaded HTTP server on 127.0.0.1 (random port) that records requests and answers from a queue.

    Subclasses route requests in `answer(request)`; `next_behaviour(default)` pops the script.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=type(self).__name__, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._release.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def script(self, *behaviours: Behaviour) -> None:
        """Queue what the next POST requests answer, one behaviour each, in order."""
        with self._lock:
            self._script.extend(behaviours)

    def next_behaviour(self, default: Behaviour) -> Behaviour:
        with self._lock:
            return self._script.popleft() if self._script else default

    def posts(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.method == "POST" and request.path == path]

    def answer(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test asserts on `server.requests` instead."""

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = Recorded(method=self.command, path=self.path, headers=headers, body=body)
                content_type = headers.get("content-type", "")
                if content_type.startswith("application/json") and body:
                    request.json = json.loads(body)
                elif content_type.startswith("multipart/form-data"):
                    request.parts = parse_multipart(content_type, body)
                with server._lock:
                    server.requests.append(request)
                reply = server.answer(request)
                self.close_connection = True
                if reply.hang:
                    server._release.wait(timeout=30)
                    return
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


class OpenAIServer(ScriptedServer):
    """The OpenAI REST API as far as images, models and chat completions go."""

    def __init__(self, *, api_key: str = API_KEY, models: tuple[str, ...] = ("gpt-image-1", "gpt-4.1-mini")) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = set(models)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def answer(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            presented = request.headers.get("authorization", "").removeprefix("Bearer ")
            return _error(
                401,
                f"Incorrect API key provided: {presented[:3]}***{presented[-4:]}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                "invalid_api_key",
            )
        if request.method == "GET" and request.path.startswith("/v1/models/"):
            model = request.path.removeprefix("/v1/models/")
            if model not in self.models:
                return _error(
                    404, f"The model '{model}' does not exist", "invalid_request_error", "model_not_found", "model"
                )
            return Reply(body={"id": model, "object": "model", "created": 1_698_785_189, "owned_by": "system"})
        if request.method == "POST" and request.path in {"/v1/images/generations", "/v1/images/edits"}:
            return self.next_behaviour(ok_image())(request)
        if request.method == "POST" and request.path == "/v1/chat/completions":
            return self.next_behaviour(
                lambda request: _error(500, "the test scripted no chat reply", "server_error", None)
            )(request)
        return _error(404, f"Invalid URL ({request.method} {request.path})", "invalid_request_error", None)
