import json
import subprocess
import sys

from app.cli import main


def test_probe_prints_geometry(clip_path, capsys):
    assert main(["probe", str(clip_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["num_frames"] == 24 and info["codec"] == "h264" and info["duration"] == 2.0


def test_bad_video_is_one_line_on_stderr_and_nonzero(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x01garbage" * 100)
    r = subprocess.run([sys.executable, "-m", "vlm", "probe", str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"vlm: error: {bad}: not a readable video (Invalid data found when "
                                             f"processing input)"]
    assert "Traceback" not in r.stderr


def test_bad_video_for_chat_fails_before_loading_models(tmp_path, capsys, monkeypatch):
    from vlm.assistant import VideoAssistant

    def no_loading(*a, **k):
        raise AssertionError("models were loaded for a video that cannot be read")

    monkeypatch.setattr(VideoAssistant, "build", no_loading)
    (tmp_path / "empty.mp4").write_bytes(b"")
    for cmd in ("chat", "describe"):
        assert main([cmd, str(tmp_path / "empty.mp4")] + (["-q", "hi"] if cmd == "chat" else [])) == 2
        assert capsys.readouterr().err.strip() == f"vlm: error: {tmp_path / 'empty.mp4'}: empty file (0 bytes)"


def test_unknown_llm_is_one_line(clip_path, capsys):
    assert main(["chat", str(clip_path), "-q", "hi", "--llm", "no-such-llm"]) == 2
    assert "not a known tag" in capsys.readouterr().err


def test_models_lists_registries(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("efficientnet-lite0", "mlp2x_gelu", "uniform", "smollm2-135m-instruct", "minilm-l6-v2"):
        assert name in out


def test_unknown_perception_part_is_one_line_before_loading(clip_path, capsys):
    assert main(["chat", str(clip_path), "-q", "hi", "--skip-part", "smell"]) == 2
    assert capsys.readouterr().err.strip() == ("vlm: error: --skip-part 'smell': not a perception part; parts: "
                                               "people, speech, text")


def test_repeated_questions_are_one_conversation(clip_path, capsys, monkeypatch):
    import app.cli as cli

    class Echo:  # answers with what it was given: the question and how many turns came before
        config = type("C", (), {"num_video_tokens": staticmethod(lambda n: 4 * n)})()

        def stream(self, video, question, history=(), **kw):
            yield f"{question} after {len(history)} turns"

    video = type("V", (), {"timestamps": [0.5, 1.5]})()
    monkeypatch.setattr(cli, "load_assistant_from_args", lambda args: Echo())
    monkeypatch.setattr(cli, "_watch", lambda assistant, args: video)
    assert main(["chat", str(clip_path), "-q", "What is on the table?", "-q", "And how many?"]) == 0
    assert capsys.readouterr().out.splitlines() == ["What is on the table? after 0 turns", "And how many? after 2 turns"]
