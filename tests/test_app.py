"""The Streamlit app through AppTest: a fake backend (fast, scripted answers) and the real tiny backend."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app import backend
from app.timestamps import find_timestamps
from tests.helpers import tiny_assistant
from vlm.data.synthetic import Scene, Shape, write_clip

APP = str(Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py")


@pytest.fixture(scope="module")
def videos_dir(tmp_path_factory) -> Path:
    """A sample-clip folder in the shared-videos format, with two synthetic clips."""
    root = tmp_path_factory.mktemp("videos")
    rows = []
    for name, direction in [("square_left", "left"), ("square_down", "down")]:
        write_clip(Scene(shapes=(Shape("square", "red", 0.5, 0.5, direction, 0.2),), width=64, height=64,
                         num_frames=24), root / "demo" / f"{name}.mp4")
        rows.append({"path": f"demo/{name}.mp4", "split": "demo", "label": name, "text": name.replace("_", " ")})
    with open(root / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return root


@dataclass
class FakeConfig:
    def video_grid(self, num_frames):
        return num_frames, 2, 2


class FakeAssistant:
    """Scripted answers that mention a time; records what it was asked."""
    config = FakeConfig()

    def __init__(self):
        self.asked: list[tuple[str, int]] = []
        self.real = None

    def watch(self, path, *, num_frames, **kwargs):
        from types import SimpleNamespace

        from vlm.perception import PerceptionContext, Segment
        from vlm.video import probe

        from vlm.perception.context import PartState
        from vlm.perception.ocr import ScreenText, TextItem
        from vlm.perception.speech import Said, Transcript

        info = probe(path)
        ts = np.linspace(0, info.duration, num_frames, endpoint=False)
        said, text = PartState("speech", "What is said"), PartState("text", "What is written")
        said.finish("done", Transcript([Said(1.0, 1.8, "hello from the square")], "en", 0.99))
        text.finish("done", ScreenText([TextItem("FINAL SCORE 54 - 48", 0.5, 1.5)], 4))
        ctx = PerceptionContext(info, ts.tolist(), [Segment(0, info.duration, [("fake thing", 0.9)], 10.0, "left")],
                                motion_curve=[1.0] * num_frames, parts={"speech": said, "text": text},
                                activity=[("juggling balls", 0.12), ("dancing", 0.05)])
        return SimpleNamespace(path=str(path), info=info, timestamps=ts, context=ctx,
                               selection=SimpleNamespace(indices=np.arange(num_frames)),
                               preview=np.zeros((num_frames, 8, 8, 3), np.uint8))

    def stream(self, video, question, history=(), **kwargs):
        self.asked.append((question, len(history)))
        yield from ["A red square ", "moves left ", f"at 0:01 (answer {len(self.asked)})."]


@pytest.fixture
def tiny_backend(monkeypatch, videos_dir, tiny):
    """The page with a real (tiny) VideoLLM behind the seam; label ranking stubbed (tested for real elsewhere)."""
    monkeypatch.setenv("VLM_VIDEOS", str(videos_dir))
    assistant = tiny_assistant(*tiny)
    monkeypatch.setattr(backend, "load_assistant", lambda settings: assistant)
    monkeypatch.setattr(backend, "prefetch", lambda settings: None)
    monkeypatch.setattr(backend, "rank_labels", lambda w, labels: [(x, 0.0) for x in labels])
    return assistant


@pytest.fixture
def fake(monkeypatch, videos_dir):
    monkeypatch.setenv("VLM_VIDEOS", str(videos_dir))
    fake = FakeAssistant()
    monkeypatch.setattr(backend, "load_assistant", lambda settings: fake)
    monkeypatch.setattr(backend, "prefetch", lambda settings: None)
    # Fake ranking (longest label first) so these tests stay fast; the real one is tested in test_real_models.
    monkeypatch.setattr(backend, "rank_labels", lambda w, labels: sorted(((x, float(len(x))) for x in labels),
                                                                         key=lambda x: -x[1]))
    return fake


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def _assistant_texts(at) -> list[str]:
    return [m.markdown[0].value for m in at.chat_message if m.avatar == "assistant"]


def test_sample_clip_loads_with_frames_and_token_budget(fake):
    at = _app()
    assert any("16 frames × 4 tokens = **64 video tokens**" in c.value for c in at.caption)
    assert "fake thing" in at.code[0].value  # the perception panel


def test_chat_turn_regenerate_and_clear(fake):
    at = _app()
    at.chat_input[0].set_value("Which way does it move?").run()
    assert not at.exception
    assert _assistant_texts(at) == ["A red square moves left at 0:01 (answer 1)."]
    assert [b.label for b in at.button if b.key and b.key.startswith("seek-")] == ["▶ 0:01"]
    at.button(key="regenerate").click().run()
    assert _assistant_texts(at) == ["A red square moves left at 0:01 (answer 2)."]
    assert fake.asked == [("Which way does it move?", 0), ("Which way does it move?", 0)]
    at.chat_input[0].set_value("And then?").run()
    assert fake.asked[-1] == ("And then?", 2)  # multi-turn: the history goes along
    at.button(key="clear").click().run()
    assert _assistant_texts(at) == []


def test_what_the_model_sees_shows_every_part_and_its_times_seek(fake):
    at = _app()
    context = at.code[0].value
    assert '"hello from the square"' in context and '"FINAL SCORE 54 - 48"' in context
    assert "juggling balls (12%)" in context
    assert any("hello from the square" in m.value for m in at.markdown)  # the transcript, line by line
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("said-"))).click().run()
    assert not at.exception and list(at.session_state["seek"].values()) == [1.0]
    assert any("Playing from 0:01" in c.value for c in at.caption)


def test_seek_button_moves_the_player(fake):
    at = _app()
    at.chat_input[0].set_value("When?").run()
    next(b for b in at.button if b.label == "▶ 0:01" and b.key.startswith("seek-")).click().run()
    assert not at.exception
    assert at.session_state["seek"] and list(at.session_state["seek"].values()) == [1]
    assert any("Playing from 0:01" in c.value for c in at.caption)


def test_history_is_kept_per_video(fake):
    at = _app()
    at.chat_input[0].set_value("First clip?").run()
    at.selectbox(key="sample").set_value(1).run()
    assert _assistant_texts(at) == []
    at.selectbox(key="sample").set_value(0).run()
    assert len(_assistant_texts(at)) == 1


def test_bad_uploads_show_specific_errors_and_keep_the_chat(fake, videos_dir):
    at = _app()
    assert at.file_uploader(key="upload")  # on the page from the start, no choice to make first
    good = (videos_dir / "demo" / "square_left.mp4").read_bytes()
    at.file_uploader(key="upload").set_value(("mine.mp4", good, "video/mp4")).run()
    assert not at.error and not at.exception
    at.chat_input[0].set_value("What moves?").run()
    assert len(_assistant_texts(at)) == 1
    for name, data, reason in [("notes.txt", b"hello", "unsupported format '.txt'"),
                               ("empty.mp4", b"", "the file is empty"),
                               ("broken.mp4", b"\x00garbage" * 50, "not a readable video")]:
        at.file_uploader(key="upload").set_value((name, data, "video/mp4")).run()
        assert not at.exception
        assert at.error and reason in at.error[0].value and name in at.error[0].value
        assert len(_assistant_texts(at)) == 1  # the previous video and its chat are still there


def test_upload_size_limit(fake, videos_dir, monkeypatch):
    monkeypatch.setenv("VLM_MAX_UPLOAD_MB", "1")
    at = _app()
    at.file_uploader(key="upload").set_value(("big.mp4", b"x" * (2 * 2**20), "video/mp4")).run()
    assert "big.mp4: 2 MB is over the 1 MB limit" in at.error[0].value


def test_settings_change_resamples(fake):
    at = _app()
    at.slider(key="frames").set_value(8).run()
    assert not at.exception
    assert any("8 frames × 4 tokens = **32 video tokens**" in c.value for c in at.caption)


def test_real_tiny_backend_end_to_end(tiny_backend):
    """The same page with a real (tiny) VideoLLM: real decoding, encoding, perception and streaming."""
    at = _app()
    assert any("16 frames × 4 tokens = **64 video tokens**" in c.value for c in at.caption)
    at.chat_input[0].set_value("which way does the red square move ?").run()
    assert not at.exception
    assert len(_assistant_texts(at)) == 1


def test_zero_shot_tab_ranks_typed_labels(fake):
    at = _app()
    at.text_area(key="zs_labels").set_value("cat, a dog running\nbird\nbird").run()
    assert not at.exception
    assert any("Best match: **a dog running**" in c.value for c in at.caption)
    at.text_area(key="zs_labels").set_value("only one").run()
    assert "at least two labels" in at.warning[0].value


def test_adapter_folder_setting(fake, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(backend, "load_assistant", lambda settings: seen.append(settings) or fake)
    at = _app()
    at.text_input(key="adapter").set_value(str(tmp_path / "nothing")).run()
    assert "not an adapter folder" in at.error[0].value and seen[-1].adapter == ""
    (tmp_path / "videollm_config.json").write_text("{}")
    at.text_input(key="adapter").set_value(str(tmp_path)).run()
    assert not at.error and seen[-1].adapter == str(tmp_path)


def test_smart_sampler_setting_shows_why_frames_were_chosen(tiny_backend):
    at = _app()
    at.selectbox(key="sampler").set_value("motion").run()
    assert not at.exception
    assert any("`motion` sampler's score over time" in m.value for m in at.markdown)


@pytest.mark.parametrize("prompt, kept", [("a red ball rolls right", True), ("a blue ball rolls to the left", False)])
def test_generation_tab_shows_prompt_rules_beside_plan_adherence(fake, monkeypatch, prompt, kept):
    from vlm.generation.layout import compile_layout
    from vlm.generation.planner import EXAMPLES, PlanResult

    class ScriptedPlanner:     # always plans "a red ball rolls from left to right"
        def plan(self, prompt, *, seed=0, greedy_first=True):
            return PlanResult(compile_layout(EXAMPLES[0][1]), 1, 0.0, 0, [])

    monkeypatch.setattr(backend, "load_planner", lambda: ScriptedPlanner())
    at = _app()
    at.text_input(key="gen_prompt").set_value(prompt).run()
    at.slider(key="gen_frames").set_value(12).run()
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    res = at.session_state["gen_result"]
    assert res.verification.score > 0.9                     # the video follows its plan either way
    caption = next(c.value for c in at.caption if "Prompt adherence" in c.value)
    assert f"Prompt adherence **{res.prompt_adherence:.0%}**" in caption and "plan adherence" in caption
    rules = next(d.value for d in at.dataframe if "rule from the prompt" in d.value.columns)
    assert "ball is blue" in set(rules["rule from the prompt"]) or kept
    if kept:
        assert res.prompt_adherence == 1.0 and set(rules["video"]) == {"✓"}
    else:                                                   # a red ball going right breaks "blue" and "left"
        assert res.prompt_adherence <= 0.5
        broken = set(rules.loc[rules["video"] == "✗", "rule from the prompt"])
        assert {"ball is blue", "ball moves left"} <= broken


def test_find_timestamps():
    text = "It starts at 0:05, jumps at 1:02:03 and lands 12s later (or 4.5 seconds), then 0:05 again; 99:99 no."
    assert find_timestamps(text) == [("0:05", 5), ("1:02:03", 3723), ("12s", 12.0), ("4.5 seconds", 4.5)]
    assert find_timestamps(text, duration=10) == [("0:05", 5), ("4.5 seconds", 4.5)]
    assert find_timestamps("a 16:9 picture of 3 dogs, 2nd take") == []
