"""A local HTTP server that speaks the Gemini API's REST shapes, for testing the real google-genai SDK.

It answers `POST /{version}/models/{model}:generateContent`, `GET /{version}/models/{model}`,
`POST /{version}/models/{model}:predictLongRunning` (Veo), `GET /{version}/models/{model}/operations/{id}` and
`GET /{version}/files/{id}:download` (which redirects to the stored bytes, as the real service does).
Every request needs the `x-goog-api-key` header; a wrong key gets the real `API_KEY_INVALID` error.
Each request is recorded; what `generateContent` answers is scripted with `GeminiServer.script(...)`.

Gemini 3 image models (`gemini-3*`) think before they answer: like the real service, the server puts a fresh
`thoughtSignature` on the first part of each answer and on every image part, and refuses (400
INVALID_ARGUMENT, "Image part is missing a thought_signature in content position N, part position M.") a
request whose earlier model turns carry an image without a signature it issued.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

__all__ = [
    "API_KEY",
    "GEMINI_3_IMAGE_MODEL",
    "GeminiServer",
    "RecordedRequest",
    "Reply",
    "blocked_prompt",
    "corrupt_image",
    "decode_base64",
    "finished_without_image",
    "hang",
    "image_reply",
    "images_in",
    "png_bytes",
    "rate_limited",
    "server_error",
    "text_only",
]

API_KEY = "test-gemini-key"
GEMINI_3_IMAGE_MODEL = "gemini-3-pro-image-preview"

# Where the real service says a generated video can be downloaded; the SDK keeps only the file id from it
# and downloads through its own base URL, so the host here is never contacted.
PUBLIC_FILES_URL = "https://generativelanguage.googleapis.com/v1beta/files"

_HARM_CATEGORIES = (
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Header names in lower case."""
    json: Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, JSON body, extra headers, and how long to wait before answering."""

    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _safety_ratings(blocked_category: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "category": category,
            "probability": "HIGH" if category == blocked_category else "NEGLIGIBLE",
            **({"blocked": True} if category == blocked_category else {}),
        }
        for category in _HARM_CATEGORIES
    ]


def _usage(candidates: int = 0) -> dict[str, Any]:
    usage: dict[str, Any] = {"promptTokenCount": 12, "totalTokenCount": 12 + candidates}
    if candidates:
        usage["candidatesTokenCount"] = candidates
    return usage


def _response(candidates: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if candidates is not None:
        body["candidates"] = candidates
    body.update(extra)
    body.setdefault("usageMetadata", _usage(1290 if candidates else 0))
    body["modelVersion"] = "gemini-2.5-flash-image"
    body["responseId"] = uuid.uuid4().hex[:22]
    return body


def image_reply(image: Image.Image, *, text: str | None = None, mime_type: str = "image/png") -> Reply:
    """A made image as the model returns it: an optional text part, then the inline image part."""
    if mime_type == "image/png":
        data = png_bytes(image)
    else:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format=mime_type.split("/")[1].upper())
        data = buffer.getvalue()
    parts: list[dict[str, Any]] = []
    if text is not None:
        parts.append({"text": text})
    parts.append({"inlineData": {"mimeType": mime_type, "data": _b64(data)}})
    return Reply(_response([{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}]))


def corrupt_image() -> Reply:
    """An inline part that claims to be a PNG but holds a truncated one."""
    data = png_bytes(Image.new("RGB", (64, 64), (200, 10, 10)))[:40]
    parts = [{"inlineData": {"mimeType": "image/png", "data": _b64(data)}}]
    return Reply(_response([{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}]))


def text_only(text: str) -> Reply:
    """The model answered in words and made no image."""
    return Reply(
        _response([{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}])
    )


def blocked_prompt(reason: str = "SAFETY", category: str | None = None) -> Reply:
    """The prompt itself was blocked: no candidates, `promptFeedback.blockReason`."""
    feedback: dict[str, Any] = {"blockReason": reason}
    if category is not None:
        feedback["safetyRatings"] = _safety_ratings(category)
    return Reply(_response(None, promptFeedback=feedback))


def finished_without_image(reason: str, category: str | None = None, message: str | None = None) -> Reply:
    """A candidate that stopped for `reason` (IMAGE_SAFETY, PROHIBITED_CONTENT, NO_IMAGE, SAFETY, ...)."""
    candidate: dict[str, Any] = {"finishReason": reason, "index": 0}
    if category is not None:
        candidate["safetyRatings"] = _safety_ratings(category)
    if message is not None:
        candidate["finishMessage"] = message
    return Reply(_response([candidate]))


def _error(
    status: int, code_name: str, message: str, details: list[dict[str, Any]] | None = None, **headers: str
) -> Reply:
    error: dict[str, Any] = {"code": status, "message": message, "status": code_name}
    if details:
        error["details"] = details
    return Reply({"error": error}, status=status, headers=headers)


def rate_limited(retry_after: str | None = None, retry_delay: str | None = None) -> Reply:
    """429 RESOURCE_EXHAUSTED, with a Retry-After header and/or the RetryInfo detail Gemini sends."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    details = (
        [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}]
        if retry_delay is not None
        else None
    )
    return _error(
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
        details,
        **headers,
    )


def server_error(status: int = 500) -> Reply:
    names = {500: "INTERNAL", 503: "UNAVAILABLE", 502: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
    return _error(status, names.get(status, "INTERNAL"), "An internal error has occurred. Please retry.")


def hang(seconds: float, then: Reply | None = None) -> Reply:
    """Wait `seconds` before answering (longer than the client's timeout)."""
    reply = then or text_only("too late")
    return Reply(reply.body, status=reply.status, headers=reply.headers, delay=seconds)


def _invalid_key() -> Reply:
    return Reply(
        {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"},
                    }
                ],
            }
        },
        status=400,
    )


def _model_info(model: str) -> dict[str, Any]:
    return {
        "name": f"models/{model}",
        "version": "2.0",
        "displayName": "Nano Banana" if "image" in model else model,
        "description": "Gemini 2.5 Flash Image",
        "inputTokenLimit": 32768,
        "outputTokenLimit": 32768,
        "supportedGenerationMethods": ["generateContent", "countTokens", "batchGenerateContent"],
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
    }


def images_in(request: RecordedRequest) -> int:
    """How many pictures a generateContent request carries (inline parts in all its contents)."""
    contents = request.json.get("contents", []) if isinstance(request.json, dict) else []
    return sum(1 for content in contents for part in content.get("parts", []) if "inlineData" in part)


def decode_base64(text: str) -> bytes:
    """Bytes in JSON as protobuf reads them: standard or URL-safe alphabet, padding optional."""
    standard = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)


def _invalid_contents(body: Any) -> str | None:
    """What the real service would reject in a generateContent body (its message), or None."""
    contents = body.get("contents") if isinstance(body, dict) else None
    if not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    for index, content in enumerate(contents):
        if content.get("role") not in ("user", "model"):
            return f"* GenerateContentRequest.contents[{index}].role: must be user or model"
        if not content.get("parts"):
            return f"* GenerateContentRequest.contents[{index}].parts: contents.parts must not be empty."
        for part in content["parts"]:
            inline = part.get("inlineData")
            if inline is None and not isinstance(part.get("text"), str):
                return f"* GenerateContentRequest.contents[{index}].parts: a part needs text or inlineData"
            if inline is not None:
                if not (inline.get("mimeType") or inline.get("mime_type")):
                    return f"* GenerateContentRequest.contents[{index}].parts.inline_data.mime_type: required"
                try:
                    decode_base64(inline.get("data", ""))
                except ValueError:
                    field_name = f"contents[{index}].parts.inline_data.data"
                    return f"Invalid value at '{field_name}' (TYPE_BYTES), Base64 decoding failed"
    return None


@dataclass
class _VideoJob:
    model: str
    polls_left: int
    video: bytes | None
    mime_type: str
    filtered_reasons: list[str]
    error: dict[str, Any] | None
    inline: bool = False


class GeminiServer:
    """The scriptable server. `url` is the base URL to hand to the SDK."""

    def __init__(self) -> None:
        self.api_key = API_KEY
        self.models = {"gemini-2.5-flash-image", GEMINI_3_IMAGE_MODEL, "veo-3.0-fast-generate-001"}
        self.requests: list[RecordedRequest] = []
        self.answers: list[dict[str, Any]] = []
        """The bodies generateContent answered with, in order (scripted errors included)."""
        self.signatures: dict[bytes, bytes] = {}
        """The thought signatures put on answer images, and the image bytes each was put on."""
        self.model_info_delay = 0.0
        """Seconds to wait before answering a model GET (to make `check()` time out)."""
        self._replies: deque[Reply] = deque()
        self._jobs: dict[str, _VideoJob] = {}
        self._video_plans: deque[_VideoJob] = deque()
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # Stopping must not wait for handler threads parked on a kept-alive connection or a scripted hang.
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, *replies: Reply) -> None:
        """Queue what the next `generateContent` calls answer, in order."""
        with self._lock:
            self._replies.extend(replies)

    def script_video(
        self,
        *,
        video: bytes | None = None,
        polls: int = 2,
        mime_type: str = "video/mp4",
        filtered_reasons: tuple[str, ...] = (),
        error: dict[str, Any] | None = None,
        inline: bool = False,
    ) -> None:
        """Queue the next Veo job: it stays running for `polls` operation reads, then finishes with `video`
        (served through the files download, or with `inline` as `encodedVideo` in the operation), with no
        samples and `filtered_reasons`, or with `error`."""
        with self._lock:
            self._video_plans.append(
                _VideoJob(
                    model="",
                    polls_left=polls,
                    video=video,
                    mime_type=mime_type,
                    filtered_reasons=list(filtered_reasons),
                    error=error,
                    inline=inline,
                )
            )

    def calls(self, suffix: str) -> list[RecordedRequest]:
        """The recorded requests whose path ends with `suffix` (e.g. ':generateContent')."""
        return [request for request in self.requests if request.path.endswith(suffix)]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read the recorded requests instead."""

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = RecordedRequest(method, parts.path, parse_qs(parts.query), headers, body)
                with server._lock:
                    server.requests.append(request)
                if parts.path.startswith("/storage/"):
                    self._send_bytes(*server._files[parts.path.removeprefix("/storage/")])
                    return
                if headers.get("x-goog-api-key") != server.api_key:
                    self._send(_invalid_key())
                    return
                self._send(server._route(request))

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a scripted hang)

            def _send_bytes(self, data: bytes, mime_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", mime_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _route(self, request: RecordedRequest) -> Reply:
        path = request.path
        if match := re.fullmatch(r"/v1(?:beta)?/models/([^/:]+):generateContent", path):
            if request.method != "POST":
                return _error(405, "METHOD_NOT_ALLOWED", "use POST")
            if match.group(1) not in self.models:
                return self._not_found(match.group(1))
            if (problem := _invalid_contents(request.json)) is not None:
                return _error(400, "INVALID_ARGUMENT", problem)
            thinking = match.group(1).startswith("gemini-3")
            if thinking and (problem := self._missing_signature(request.json)) is not None:
                return _error(400, "INVALID_ARGUMENT", problem)
            with self._lock:
                if not self._replies:
                    return server_error()
                reply = self._replies.popleft()
            answer = self._signed(reply) if thinking else reply
            with self._lock:
                self.answers.append(answer.body)
            return answer
        if match := re.fullmatch(r"/v1(?:beta)?/models/([^/:]+):predictLongRunning", path):
            return self._start_video(match.group(1))
        if match := re.fullmatch(r"/v1(?:beta)?/models/([^/:]+)/operations/([^/:]+)", path):
            return self._poll_video(match.group(1), match.group(2))
        if match := re.fullmatch(r"/v1(?:beta)?/files/([a-z0-9]+):download", path):
            if match.group(1) not in self._files or request.query.get("alt") != ["media"]:
                return _error(404, "NOT_FOUND", f"File {match.group(1)} not found.")
            return Reply({}, status=302, headers={"Location": f"{self.url}/storage/{match.group(1)}"})
        if match := re.fullmatch(r"/v1(?:beta)?/models/([^/:]+)", path):
            if match.group(1) not in self.models:
                return self._not_found(match.group(1))
            return Reply(_model_info(match.group(1)), delay=self.model_info_delay)
        return _error(404, "NOT_FOUND", f"The requested URL {path} was not found on this server.")

    def _missing_signature(self, body: dict[str, Any]) -> str | None:
        """An image in an earlier model turn without a signature this server issued, as the service words it."""
        for index, content in enumerate(body["contents"]):
            if content["role"] != "model":
                continue
            for position, part in enumerate(content["parts"]):
                inline = part.get("inlineData")
                if inline is None:
                    continue
                signature = part.get("thoughtSignature")
                try:
                    given = decode_base64(signature) if isinstance(signature, str) else b""
                except ValueError:
                    given = b""
                with self._lock:
                    issued = given in self.signatures
                if not issued:
                    return (
                        "Image part is missing a thought_signature in content position "
                        f"{index + 1}, part position {position + 1}."
                    )
        return None

    def _signed(self, reply: Reply) -> Reply:
        """The answer with a fresh thought signature on its first part and on every image part."""
        if reply.status != 200 or not reply.body.get("candidates"):
            return reply
        body = json.loads(json.dumps(reply.body))
        for candidate in body["candidates"]:
            for position, part in enumerate(candidate.get("content", {}).get("parts", [])):
                inline = part.get("inlineData")
                if position == 0 or inline is not None:
                    signature = uuid.uuid4().bytes + uuid.uuid4().bytes
                    part["thoughtSignature"] = _b64(signature)
                    if inline is not None:
                        with self._lock:
                            self.signatures[signature] = decode_base64(inline["data"])
        body["modelVersion"] = GEMINI_3_IMAGE_MODEL
        return Reply(body, status=reply.status, headers=reply.headers, delay=reply.delay)

    def _not_found(self, model: str) -> Reply:
        return _error(
            404,
            "NOT_FOUND",
            f"models/{model} is not found for API version v1beta, or is not supported for generateContent.",
        )

    def _start_video(self, model: str) -> Reply:
        if model not in self.models:
            return self._not_found(model)
        with self._lock:
            if not self._video_plans:
                return server_error()
            job = self._video_plans.popleft()
            job.model = model
            operation = uuid.uuid4().hex[:12]
            self._jobs[operation] = job
        return Reply({"name": f"models/{model}/operations/{operation}"})

    def _poll_video(self, model: str, operation: str) -> Reply:
        with self._lock:
            job = self._jobs.get(operation)
            if job is None or job.model != model:
                return _error(404, "NOT_FOUND", f"Operation models/{model}/operations/{operation} not found.")
            name = f"models/{model}/operations/{operation}"
            if job.polls_left > 0:
                job.polls_left -= 1
                return Reply({"name": name})
            if job.error is not None:
                return Reply({"name": name, "done": True, "error": job.error})
            video_response: dict[str, Any] = {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": {},
            }
            if job.video is not None and job.inline:
                video_response["generateVideoResponse"]["generatedSamples"] = [
                    {"video": {"encodedVideo": _b64(job.video), "encoding": job.mime_type}}
                ]
            elif job.video is not None:
                file_id = uuid.uuid4().hex[:12]
                self._files[file_id] = (job.video, job.mime_type)
                video_response["generateVideoResponse"]["generatedSamples"] = [
                    {"video": {"uri": f"{PUBLIC_FILES_URL}/{file_id}:download?alt=media"}}
                ]
            if job.filtered_reasons:
                video_response["generateVideoResponse"]["raiMediaFilteredCount"] = len(job.filtered_reasons)
                video_response["generateVideoResponse"]["raiMediaFilteredReasons"] = job.filtered_reasons
            return Reply({"name": name, "done": True, "response": video_response})
