"""End to end in a real browser: `streamlit run` with the embedded models, driven by Playwright in Debian's Chromium.

Screenshots go to runs/screenshots/ (or $VLM_SCREENSHOTS).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import shared_clip

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WHAT = "What instrument does he play?"
WHEN = "When is his hand near his face?"  # a time the context has (pose: a hand near the face at 0:03)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)("Debian's chromium is not installed (make system-deps)")
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           "VLM_CACHE": os.environ.get("VLM_REAL_CACHE", str(Path.home() / ".cache" / "vlm"))}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited: {proc.stdout.read()}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def shots() -> Path:
    d = Path(os.environ.get("VLM_SCREENSHOTS", ROOT / "runs" / "screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_upload_chat_seek_and_bad_upload(server, shots, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from vlm.video import probe

    clip = shared_clip("demo/man_playing_drums.mp4")
    duration = probe(clip).duration
    upload = tmp_path / "my drums.mp4"
    shutil.copy(clip, upload)  # a user's own file, under a name of their choosing
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.locator("input[type=file]").set_input_files(str(upload))
        expect(page.get_by_text("Uploaded: my drums.mp4")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("16 frames × 4 tokens")).to_be_visible(timeout=90_000)
        expect(page.locator("video")).to_have_count(1)

        box = page.get_by_placeholder("Ask about the video")
        answers = page.locator("[data-testid='stChatMessage']")
        box.fill(WHAT)
        box.press("Enter")
        expect(answers.nth(1)).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="■ Stop")).to_have_count(0, timeout=90_000)  # streaming finished
        first = answers.nth(1).inner_text()
        assert "drum" in first.lower(), first
        for turn in range(3, 3 + 2 * 5, 2):      # a second turn, answered with a time once the pose part is done
            box.fill(WHEN)
            box.press("Enter")
            answer = answers.nth(turn)
            expect(answer).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="■ Stop")).to_have_count(0, timeout=90_000)
            text = answer.inner_text()
            if "Still working on" not in text:    # the answer says so while a part runs: ask again, as it tells
                break
            page.wait_for_timeout(3_000)
        page.screenshot(path=str(shots / "chat.png"))

        seek = answer.get_by_role("button", name="▶")
        assert seek.count() >= 1, f"no timestamp in the answer: {text!r}"
        label = seek.first.inner_text().strip("▶ ").strip()
        minutes, seconds = (int(x) for x in label.split(":"))
        assert minutes * 60 + seconds <= duration, f"{label} is past the clip's end ({duration:.1f} s): {text!r}"
        seek.first.click()
        expect(page.get_by_text(f"Playing from {label}")).to_be_visible(timeout=30_000)
        page.wait_for_function(f"document.querySelector('video') && "
                               f"Math.abs(document.querySelector('video').currentTime - {minutes * 60 + seconds}) < 1.5",
                               timeout=30_000)
        page.screenshot(path=str(shots / "seek.png"))

        page.locator("input[type=file]").set_input_files(str(corrupt))
        expect(page.get_by_text("broken.mp4: not a readable video")).to_be_visible(timeout=60_000)
        expect(page.get_by_text(first.splitlines()[0][:40]).first).to_be_visible()  # the earlier chat is still there
        page.screenshot(path=str(shots / "bad_upload.png"))
        browser.close()
