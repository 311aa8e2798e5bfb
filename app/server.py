"""`vlm serve`: an OpenAI-compatible API for chatting about videos (FastAPI, served by uvicorn).

    POST /v1/chat/completions   messages with text and video_url parts; stream or not; vLLM's mm_processor_kwargs
    GET  /v1/models, GET /health

Generation runs on vlm's one model thread (`vlm.runtime`), one request at a time; the others wait in a queue of
`max_queue` places, and a request past it gets 429 at once instead of hanging. A video is watched once per content
hash and sampling: a second question about it (or the next turn) skips decoding. A client that disconnects
mid-stream stops its generation. Every error is OpenAI-shaped JSON with its status, never a traceback.
"""
from __future__ import annotations

import hmac
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from fastapi import Request  # at module level: FastAPI resolves the endpoints' (string) annotations here

from app.media import MediaPolicy, MediaResolver
from app.openai_schema import APIError, ChatRequest

log = logging.getLogger(__name__)


@dataclass
class ServeSettings:
    model_name: str = "vlm"
    api_key: str | None = None
    max_queue: int = 8                 # requests waiting or running; one more gets 429
    max_body_mb: int = 256
    request_timeout_s: float = 300.0   # generation stops after this long
    num_frames: int | None = None      # default sampling (the assistant's own when None)
    sampler: str | None = None
    watched_cache: int = 16            # videos kept watched (their tokens and perception context)
    media: MediaPolicy = field(default_factory=MediaPolicy)


class Queue:
    """At most `size` requests in the building (running or waiting for the model thread)."""

    def __init__(self, size: int):
        self.size, self.active, self._lock = size, 0, threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self.active >= self.size:
                raise APIError(429, f"the server is busy: {self.active} requests queued (max {self.size}); retry later",
                               type="rate_limit_error", code="queue_full")
            self.active += 1

    def leave(self) -> None:
        with self._lock:
            self.active -= 1


class StopFilter:
    """Cuts the text at the first stop string, holding back a tail that could be the start of one."""

    def __init__(self, stops: list[str]):
        self.stops, self.held, self.stopped = stops, "", False
        self.hold = max((len(s) for s in stops), default=1) - 1

    def feed(self, piece: str) -> str:
        text = self.held + piece
        for s in self.stops:
            k = text.find(s)
            if k >= 0:
                self.stopped, self.held = True, ""
                return text[:k]
        cut = max(0, len(text) - self.hold) if self.stops else len(text)
        self.held = text[cut:]
        return text[:cut]

    def flush(self) -> str:
        out, self.held = self.held, ""
        return "" if self.stopped else out


class Engine:
    """The assistant behind the API: loading, the watched-video cache, the queue and one chat turn."""

    def __init__(self, settings: ServeSettings, load_assistant: Callable[[], object]):
        self.settings = settings
        self.queue = Queue(settings.max_queue)
        self.media = MediaResolver(settings.media)
        self._watched: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._loading: Future = ThreadPoolExecutor(1, "vlm-serve-load").submit(load_assistant)

    @property
    def assistant(self):
        if not self._loading.done():
            raise APIError(503, "the model is still loading; retry in a few seconds", type="server_error",
                           code="not_ready")
        return self._loading.result()

    def ready(self) -> bool:
        return self._loading.done() and self._loading.exception() is None

    def watch(self, url: str, mm) -> object:
        from vlm.video import VideoReadError
        from vlm.video.io import file_digest

        path = self.media.resolve(url)
        frames = (mm.num_frames if mm else None) or self.settings.num_frames
        fps = mm.fps if mm else None
        sampler = (mm.sampler if mm else None) or self.settings.sampler
        key = (file_digest(path), frames, fps, sampler)
        with self._lock:
            if key in self._watched:
                self._watched.move_to_end(key)
                return self._watched[key]
        kwargs = {"sampler": "fps", "fps": fps} if fps else ({"sampler": sampler} if sampler else {})
        try:
            video = self.assistant.watch(path, num_frames=frames, **kwargs)
        except VideoReadError as e:
            raise APIError(400, f"the video could not be read: {e.reason}", param="messages") from None
        except ValueError as e:  # an unknown sampler, a frame count the encoder cannot take
            raise APIError(400, str(e), param="mm_processor_kwargs") from None
        with self._lock:
            self._watched[key] = video
            while len(self._watched) > self.settings.watched_cache:
                self._watched.popitem(last=False)
        return video


def conversation(req: ChatRequest) -> tuple[str | None, list[dict], str]:
    """(video URL or None, history turns, the last user question) from the request's messages."""
    turns = [m for m in req.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise APIError(400, "the last message must be from the user", param="messages")
    videos = list(dict.fromkeys(url for m in turns for url in m.videos()))
    if len(videos) > 1:
        raise APIError(400, f"{len(videos)} different videos in one conversation; this server takes one",
                       param="messages")
    question = turns[-1].text().strip()
    if not question:
        raise APIError(400, "the last user message has no text question", param="messages")
    history = [{"role": m.role, "content": m.text()} for m in turns[:-1]]
    return (videos[0] if videos else None), history, question


def create_app(settings: ServeSettings, load_assistant: Callable[[], object]):
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
    from starlette.exceptions import HTTPException

    app = FastAPI(title="vlm", version="1", docs_url=None, redoc_url=None)
    engine = Engine(settings, load_assistant)
    app.state.engine = engine

    @app.exception_handler(APIError)
    async def _api_error(request, e: APIError):
        return JSONResponse(e.body(), status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _schema(request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ())[1:])
        return JSONResponse(APIError(422, f"{where}: {first.get('msg', 'invalid request')}", param=where or None,
                                     code="invalid_schema").body(), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request, e: HTTPException):
        return JSONResponse(APIError(e.status_code, str(e.detail)).body(), status_code=e.status_code)

    @app.exception_handler(Exception)
    async def _internal(request, e: Exception):
        log.exception("request failed")
        return JSONResponse(APIError(500, f"internal error ({type(e).__name__})", type="server_error").body(),
                            status_code=500)

    @app.middleware("http")
    async def _auth_and_size(request: Request, call_next):
        if request.url.path.startswith("/v1/") and settings.api_key:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {settings.api_key}".encode()):
                return JSONResponse(APIError(401, "invalid or missing API key (Authorization: Bearer ...)",
                                             type="authentication_error", code="invalid_api_key").body(), 401)
        size = int(request.headers.get("content-length") or 0)
        if size > settings.max_body_mb * 2 ** 20:
            return JSONResponse(APIError(413, f"request body over {settings.max_body_mb} MB").body(), 413)
        return await call_next(request)

    @app.get("/health")
    async def health():
        if not engine.ready():
            return JSONResponse({"status": "loading"}, status_code=503)
        return {"status": "ok", "queued": engine.queue.active}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": settings.model_name, "object": "model", "created": 0,
                                            "owned_by": "vlm"}]}

    @app.post("/v1/chat/completions")
    async def chat(req: ChatRequest, request: Request):
        if req.model != settings.model_name:
            raise APIError(404, f"The model `{req.model}` does not exist; this server has `{settings.model_name}`",
                           param="model", code="model_not_found")
        assistant = engine.assistant  # 503 while loading
        url, history, question = conversation(req)
        engine.queue.enter()
        try:
            video = await run_in_threadpool(engine.watch, url, req.mm_processor_kwargs) if url else None
            turn = Turn(assistant, video, question, history, req, settings)
        except BaseException:
            engine.queue.leave()
            raise
        if not req.stream:
            try:
                return await run_in_threadpool(turn.complete)
            finally:
                engine.queue.leave()

        async def events():
            try:
                async for chunk in iterate_in_threadpool(turn.chunks()):
                    if await request.is_disconnected():
                        turn.stop.set()  # frees the model thread for the next request
                        break
                    yield f"data: {json.dumps(chunk)}\n\n"
                else:
                    yield "data: [DONE]\n\n"
            finally:
                turn.stop.set()
                engine.queue.leave()

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


class Turn:
    """One chat completion: generation with stop strings, a timeout and usage counts."""

    def __init__(self, assistant, video, question: str, history: list[dict], req: ChatRequest,
                 settings: ServeSettings):
        self.assistant, self.video, self.question, self.history, self.req = assistant, video, question, history, req
        self.stop = threading.Event()
        self.timer = threading.Timer(settings.request_timeout_s, self.stop.set)
        self.id, self.created, self.model = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time()), settings.model_name
        self.finish = "stop"

    def pieces(self):
        filt = StopFilter(self.req.stop or [])
        self.timer.start()
        try:
            for piece in self.assistant.stream(self.video, self.question, self.history,
                                               max_new_tokens=self.req.token_limit, temperature=self.req.temperature,
                                               top_p=self.req.top_p, seed=self.req.seed or 0, stop=self.stop):
                out = filt.feed(piece)
                if out:
                    yield out
                if filt.stopped:
                    self.stop.set()
                    break
            tail = filt.flush()
            if tail:
                yield tail
        finally:
            self.timer.cancel()

    def usage(self, text: str) -> dict:
        prompt = self.assistant.prompt_tokens(self.video, self.question, self.history)
        completion = len(self.assistant.processor.tokenizer(text, add_special_tokens=False)["input_ids"])
        if completion >= self.req.token_limit:
            self.finish = "length"
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def complete(self) -> dict:
        text = "".join(self.pieces()).strip()
        usage = self.usage(text)
        return {"id": self.id, "object": "chat.completion", "created": self.created, "model": self.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": self.finish}], "usage": usage}

    def _chunk(self, delta: dict, finish: str | None = None) -> dict:
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    def chunks(self):
        yield self._chunk({"role": "assistant", "content": ""})
        text = []
        for piece in self.pieces():
            text.append(piece)
            yield self._chunk({"content": piece})
        usage = self.usage("".join(text).strip())
        yield self._chunk({}, self.finish)
        if self.req.stream_options and self.req.stream_options.include_usage:
            yield {**self._chunk({}), "choices": [], "usage": usage}
