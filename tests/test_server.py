"""`vlm serve` through the official openai client, on a random loopback port: answers, streaming, multi-turn,
base64 video, per-request sampling, every refusal, a client disconnecting mid-stream and a full queue."""
from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest

from app.media import MediaPolicy
from app.server import ServeSettings, create_app
from tests.helpers import tiny_assistant


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(settings: ServeSettings, load):
    import uvicorn

    app = create_app(settings, load)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_port(), log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}", app.state.engine
    finally:
        server.should_exit = True
        thread.join(10)


def _client(url: str, key: str = "none"):
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=60)


def _wait_ready(engine, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not engine.ready() and time.time() < deadline:
        time.sleep(0.05)
    assert engine.ready()


def _video(url: str) -> list[dict]:
    return [{"type": "video_url", "video_url": {"url": url}}, {"type": "text", "text": "which way does it move ?"}]


@pytest.fixture
def media_dir(tmp_path, clip_path) -> Path:
    d = tmp_path / "media"
    d.mkdir()
    (d / "clip.mp4").write_bytes(clip_path.read_bytes())
    (d / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01garbage" * 300)
    return d


@pytest.fixture
def tiny_server(tiny, media_dir, tmp_path):
    assistant = tiny_assistant(*tiny)
    calls = {"watch": 0}
    real_watch = assistant.watch

    def counting_watch(*a, **k):
        calls["watch"] += 1
        return real_watch(*a, **k)

    assistant.watch = counting_watch
    settings = ServeSettings(model_name="tiny", api_key="sekret", media=MediaPolicy((media_dir,), store=tmp_path / "s"))
    with serving(settings, lambda: assistant) as (url, engine):
        _wait_ready(engine)
        yield url, engine, calls, media_dir


def test_plain_and_streamed_answers_with_usage(tiny_server):
    url, engine, calls, media = tiny_server
    client = _client(url, "sekret")
    messages = [{"role": "user", "content": _video(f"file://{media / 'clip.mp4'}")}]
    r = client.chat.completions.create(model="tiny", messages=messages, max_tokens=8)
    assert r.object == "chat.completion" and r.choices[0].message.role == "assistant"
    assert r.usage.completion_tokens >= 1 and r.usage.prompt_tokens > 64  # 16 frames x 4 video tokens + the facts
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    chunks = list(client.chat.completions.create(model="tiny", messages=messages, max_tokens=8, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].usage.completion_tokens >= 1
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed.strip() == r.choices[0].message.content  # greedy: the same answer either way
    assert calls["watch"] == 1  # the second request reused the watched video


def test_multi_turn_reuses_the_video_and_text_only_is_the_plain_llm(tiny_server):
    url, engine, calls, media = tiny_server
    client = _client(url, "sekret")
    first = [{"role": "user", "content": _video(f"file://{media / 'clip.mp4'}")}]
    a = client.chat.completions.create(model="tiny", messages=first, max_tokens=5).choices[0].message.content
    more = first + [{"role": "assistant", "content": a}, {"role": "user", "content": "and then ?"}]
    r = client.chat.completions.create(model="tiny", messages=more, max_tokens=5)
    assert r.usage.prompt_tokens > 64 and calls["watch"] == 1
    plain = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "what is it ?"}],
                                           max_tokens=5)
    assert plain.usage.prompt_tokens < 40  # no video tokens, no facts


def test_base64_video_and_per_request_sampling(tiny_server, clip_path):
    url, engine, calls, media = tiny_server
    client = _client(url, "sekret")
    data = "data:video/mp4;base64," + base64.b64encode(clip_path.read_bytes()).decode()
    usage = {}
    for n in (2, 8):
        usage[n] = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": _video(data)}],
                                                  max_tokens=4, extra_body={"mm_processor_kwargs": {"num_frames": n}}
                                                  ).usage.prompt_tokens
    assert usage[8] - usage[2] >= 6 * 4  # 6 more frames of 4 video tokens each
    assert calls["watch"] == 2  # the same bytes, sampled two ways


def _status(fn) -> tuple[int, dict]:
    from openai import APIStatusError

    with pytest.raises(APIStatusError) as e:
        fn()
    return e.value.status_code, e.value.body


def test_every_refusal_is_openai_shaped_with_its_status(tiny_server, tmp_path):
    url, engine, calls, media = tiny_server
    client = _client(url, "sekret")
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"x")
    (media / "escape.mp4").symlink_to(outside)

    def ask(video_url, **kw):
        return client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": _video(video_url)}],
                                              max_tokens=2, **kw)

    cases = [("file:///etc/passwd", 403, "outside the allowed media folders"),
             (f"file://{media}/../secret.mp4", 403, "outside the allowed media folders"),
             (f"file://{media / 'escape.mp4'}", 403, "outside the allowed media folders"),
             ("http://127.0.0.1:9/video.mp4", 403, "remote media is disabled"),
             (f"file://{media / 'broken.mp4'}", 400, "the video could not be read: not a readable video"),
             (f"file://{media / 'missing.mp4'}", 400, "no such file"),
             ("ftp://example.com/v.mp4", 400, "unsupported scheme"),
             ("data:video/mp4;base64,@@@", 400, "not valid base64")]
    for video_url, status, message in cases:
        code, body = _status(lambda: ask(video_url))
        assert code == status and message in body["message"], (video_url, code, body)
        assert set(body) == {"message", "type", "param", "code"}
    code, body = _status(lambda: _client(url, "wrong").models.list())
    assert code == 401 and body["type"] == "authentication_error"
    code, body = _status(lambda: client.chat.completions.create(model="gpt-4", messages=[{"role": "user",
                                                                                         "content": "hi"}]))
    assert code == 404 and "does not exist" in body["message"]
    code, body = _status(lambda: client.chat.completions.create(model="tiny", messages=[{"role": "robot",
                                                                                         "content": "hi"}]))
    assert code == 422 and "role" in body["message"]
    code, body = _status(lambda: ask("file:///etc/passwd", extra_body={"mm_processor_kwargs": {"num_frames": 0}}))
    assert code == 422 and "num_frames" in body["param"]


def test_private_addresses_are_refused_even_with_remote_media_on(tiny, tmp_path):
    assistant = tiny_assistant(*tiny)
    settings = ServeSettings(model_name="tiny", media=MediaPolicy(allow_remote=True, store=tmp_path / "s"))
    with serving(settings, lambda: assistant) as (url, engine):
        _wait_ready(engine)
        client = _client(url)
        for host in ("127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]"):
            code, body = _status(lambda: client.chat.completions.create(
                model="tiny", messages=[{"role": "user", "content": _video(f"http://{host}/v.mp4")}], max_tokens=2))
            assert code == 403 and "private or link-local" in body["message"], (host, body)


class SlowAssistant:
    """Streams one piece every 50 ms until stopped; records how many it produced."""

    def __init__(self, tokenizer):
        from types import SimpleNamespace

        self.processor = SimpleNamespace(tokenizer=tokenizer)
        self.produced, self.running = 0, 0

    def prompt_tokens(self, video, question, history=()):
        return 7

    def stream(self, video, question, history=(), *, max_new_tokens=16, stop=None, **kwargs):
        self.running += 1
        try:
            for _ in range(max_new_tokens):
                if stop.is_set():
                    return
                time.sleep(0.05)
                self.produced += 1
                yield "a "
        finally:
            self.running -= 1


def test_disconnect_mid_stream_stops_generation_and_a_full_queue_gets_429(tiny, tmp_path):
    import httpx2

    slow = SlowAssistant(tiny[1])
    settings = ServeSettings(model_name="slow", max_queue=1, media=MediaPolicy(store=tmp_path / "s"))
    with serving(settings, lambda: slow) as (url, engine):
        _wait_ready(engine)
        body = {"model": "slow", "stream": True, "max_tokens": 400, "messages": [{"role": "user", "content": "go"}]}
        with httpx2.Client(timeout=30) as http:
            with http.stream("POST", f"{url}/v1/chat/completions", json=body) as r:
                lines = r.iter_lines()
                assert next(lines).startswith("data: ")
                busy = http.post(f"{url}/v1/chat/completions", json={**body, "stream": False})
                assert busy.status_code == 429 and busy.json()["error"]["code"] == "queue_full"
            deadline = time.time() + 10  # the client is gone: its generation must stop and free the queue
            while (slow.running or engine.queue.active) and time.time() < deadline:
                time.sleep(0.05)
            assert slow.running == 0 and engine.queue.active == 0 and slow.produced < 100
            ok = http.post(f"{url}/v1/chat/completions", json={**body, "stream": False, "max_tokens": 3})
            assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"] == "a a a"


def test_health_is_503_until_the_model_has_loaded(tiny, tmp_path):
    import httpx2

    gate = threading.Event()

    def load():
        gate.wait(10)
        return tiny_assistant(*tiny)

    with serving(ServeSettings(model_name="tiny", media=MediaPolicy(store=tmp_path / "s")), load) as (url, engine):
        assert httpx2.get(f"{url}/health").status_code == 503
        r = httpx2.post(f"{url}/v1/chat/completions", json={"model": "tiny", "messages": [{"role": "user",
                                                                                           "content": "hi"}]})
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
        gate.set()
        _wait_ready(engine)
        assert httpx2.get(f"{url}/health").json()["status"] == "ok"
        assert [m["id"] for m in httpx2.get(f"{url}/v1/models").json()["data"]] == ["tiny"]
