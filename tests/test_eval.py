"""Zero-shot harness: dataset formats and their problems, metrics, caching and resuming, CLIP and likelihood
methods with tiny models built from configs, sharding with accelerate, and the semantic method on real clips."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from vlm import features as harness  # the clip-feature machinery eval.harness uses
from eval.datasets import DatasetError, label_to_text, load_dataset, load_hmdb51, load_kinetics, load_ucf101
from eval.harness import ViewConfig, evaluate, view_indices
from eval.report import compare_runs, metrics
from vlm.data.synthetic import Scene, Shape, write_clip

ROOT = Path(__file__).resolve().parents[1]
CLASSES = {"red_square": ("square", "red"), "blue_circle": ("circle", "blue"), "yellow_star": ("star", "yellow")}


def _clip(path: Path, shape: str, colour: str, k: int = 0) -> Path:
    """Distinct files per k (the feature cache is keyed by content: identical files share features)."""
    return write_clip(Scene(shapes=(Shape(shape, colour, 0.4 + 0.1 * k, 0.5, "right", 0.1, size=0.4),), width=64,
                            height=64, num_frames=12), path)


@pytest.fixture(scope="module")
def shapes_dir(tmp_path_factory) -> Path:
    """Class folders of synthetic clips + a manifest.csv with a text column and two splits."""
    root = tmp_path_factory.mktemp("shapes")
    rows = ["path,label,text,split"]
    for label, (shape, colour) in CLASSES.items():
        for k in range(2):
            rel = f"{label}/{k}.mp4"
            _clip(root / rel, shape, colour, k)
            rows.append(f"{rel},{label},a {colour} {shape},{'test' if k else 'train'}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


# --- datasets ----------------------------------------------------------------------------------------------------


def test_manifest_split_and_texts(shapes_dir):
    ds = load_dataset(shapes_dir / "manifest.csv", split="test")
    assert len(ds) == 3 and ds.classes == sorted(CLASSES)
    assert ds.texts["red_square"] == "a red square"
    assert all(s.path.is_absolute() and s.path.exists() for s in ds.samples)


def test_folder_format_and_label_words(shapes_dir):
    ds = load_dataset(shapes_dir)
    assert len(ds) == 6 and ds.texts["blue_circle"] == "blue circle"
    assert label_to_text("ApplyEyeMakeup") == "apply eye makeup" and label_to_text("climb_stairs") == "climb stairs"


def test_all_problems_are_reported_at_once(shapes_dir, tmp_path):
    (tmp_path / "fake.mp4").write_text("not a video")
    bad = tmp_path / "bad.csv"
    good = (shapes_dir / "red_square" / "0.mp4").resolve()
    bad.write_text(f"path,label\n{os.path.relpath(good, tmp_path)},red_square\nmissing.mp4,a\nfake.mp4,b\n,c\n")
    with pytest.raises(DatasetError) as e:
        load_dataset(bad)
    msg = str(e.value)
    assert "4 problem(s)" in msg
    for part in ("path escapes the dataset root", "missing.mp4: missing file", "fake.mp4: not a readable video",
                 "line 5: empty path or label"):
        assert part in msg
    inside = tmp_path / "ok.mp4"
    inside.write_bytes(good.read_bytes())
    bad.write_text("path,label\nok.mp4,red_square\nmissing.mp4,a\n")
    ds = load_dataset(bad, skip_bad=True)
    assert len(ds) == 1 and ds.skipped == [f"{tmp_path / 'missing.mp4'}: missing file"]
    bad.write_text("file,class\nok.mp4,a\n")
    with pytest.raises(DatasetError, match="needs columns 'path' and 'label'"):
        load_dataset(bad)


def test_ucf101_hmdb51_and_kinetics_layouts(shapes_dir, tmp_path):
    (tmp_path / "classInd.txt").write_text("1 blue_circle\n2 red_square\n")
    (tmp_path / "testlist01.txt").write_text("red_square/0.mp4\nblue_circle/1.mp4\nyellow_star/0.mp4\n")
    with pytest.raises(DatasetError, match="unknown label 'yellow_star'"):
        load_ucf101(shapes_dir, tmp_path)
    ds = load_ucf101(shapes_dir, tmp_path, skip_bad=True)
    assert [s.label for s in ds.samples] == ["red_square", "blue_circle"] and ds.classes == ["blue_circle", "red_square"]

    hm = tmp_path / "hmdb"
    hm.mkdir()
    (hm / "red_square_test_split1.txt").write_text("0.mp4 2\n1.mp4 1\n")
    (hm / "blue_circle_test_split1.txt").write_text("0.mp4 2\n1.mp4 2\n")
    ds = load_hmdb51(shapes_dir, hm)
    assert sorted(s.path.name for s in ds.samples if s.label == "blue_circle") == ["0.mp4", "1.mp4"]
    assert [s.path.name for s in ds.samples if s.label == "red_square"] == ["0.mp4"]

    kin = tmp_path / "kinetics"
    (kin / "red_square").mkdir(parents=True)
    (kin / "red_square" / "abc_000010_000020.mp4").write_bytes((shapes_dir / "red_square" / "0.mp4").read_bytes())
    (tmp_path / "k.csv").write_text("label,youtube_id,time_start,time_end,split\nred_square,abc,10,20,val\n"
                                    "red_square,zzz,1,11,val\n")
    with pytest.raises(DatasetError, match="zzz_000001_000011.mp4: missing file"):
        load_kinetics(tmp_path / "k.csv", kin)


# --- metrics -----------------------------------------------------------------------------------------------------


def test_metrics_by_hand():
    scores = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.3, 0.6]])
    m = metrics(scores, [0, 1, 1, 0], 3)
    assert m["top1"] == 0.5 and m["per_class"] == [0.5, 0.5, None] and m["mean_class_accuracy"] == 0.5
    assert m["confusion"] == [[1, 0, 1], [1, 1, 0], [0, 0, 0]]
    assert metrics(scores, [0, 1, 1, 0], 3)["top5"] == 1.0  # k = min(5, classes)


def test_view_indices_cover_segments():
    idx = view_indices(100, ViewConfig(num_frames=4, clips=3))
    assert idx.shape == (3, 4) and (idx[:, 1:] > idx[:, :-1]).all()
    assert idx[0, 0] < idx[1, 0] < idx[2, 0] < 25  # shifted within the first segment


# --- CLIP method with a tiny checkpoint ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory) -> Path:
    from transformers import CLIPConfig, CLIPModel

    from tests.helpers import tiny_tokenizer

    d = tmp_path_factory.mktemp("tiny-clip")
    tok = tiny_tokenizer()
    torch.manual_seed(0)
    cfg = CLIPConfig(text_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                                  "num_attention_heads": 2, "vocab_size": len(tok), "max_position_embeddings": 64,
                                  "bos_token_id": 0, "eos_token_id": tok.eos_token_id, "pad_token_id": 1},
                     vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                                    "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
                     projection_dim=8)
    CLIPModel(cfg).save_pretrained(d)
    tok.save_pretrained(d)
    return d


def _clip_method(tiny_clip_dir):
    from eval.zeroshot import build_method

    return build_method("clip", model=str(tiny_clip_dir))


def test_clip_method_report_cache_and_resume(shapes_dir, tiny_clip_dir, tmp_path, monkeypatch):
    ds = load_dataset(shapes_dir)
    method = _clip_method(tiny_clip_dir)
    calls = []
    real_decode = harness.decode_views

    def counting_decode(path, views, size):
        calls.append(path)
        if len(calls) == 3 and os.environ.get("KILL_AT_THIRD"):
            raise KeyboardInterrupt  # the run is killed while working on the third clip
        return real_decode(path, views, size)

    monkeypatch.setattr(harness, "decode_views", counting_decode)
    monkeypatch.setenv("KILL_AT_THIRD", "1")
    with pytest.raises(KeyboardInterrupt):
        evaluate(ds, method, ViewConfig(num_frames=4), tmp_path / "run", progress=False)
    monkeypatch.delenv("KILL_AT_THIRD")
    cached = len(list(harness.FeatureCache(method.feature_key, ViewConfig(num_frames=4)).dir.glob("*.safetensors")))
    assert 1 <= cached < len(ds)  # the clips finished before the kill were saved
    calls.clear()
    report = evaluate(ds, method, ViewConfig(num_frames=4), tmp_path / "run", progress=False)
    assert len(calls) == len(ds) - cached  # resumed: finished clips were not decoded again
    for name in ("report.json", "report.md", "confusion.png"):
        assert (tmp_path / "run" / name).stat().st_size > 0
    assert report["num_clips"] == 6 and len(report["meta"]["frame_indices"]) == 6
    n = len(calls)
    again = evaluate(ds, method, ViewConfig(num_frames=4), tmp_path / "run2", progress=False)
    assert len(calls) == n  # everything cached: nothing decoded
    assert again["top1"] == report["top1"] and again["confusion"] == report["confusion"]
    text = compare_runs(tmp_path / "run", tmp_path / "run2")
    assert "red_square" in text and "+0" in text


def test_undecodable_clip_is_skipped_with_skip_bad(shapes_dir, tiny_clip_dir, tmp_path, monkeypatch):
    from vlm.video import VideoReadError

    ds = load_dataset(shapes_dir)
    real = harness.decode_views

    def flaky(path, views, size):
        if path.name == "1.mp4" and path.parent.name == "red_square":
            raise VideoReadError(path, "corrupt or truncated stream")
        return real(path, views, size)

    monkeypatch.setattr(harness, "decode_views", flaky)
    with pytest.raises(DatasetError, match="corrupt or truncated"):
        evaluate(ds, _clip_method(tiny_clip_dir), ViewConfig(4), tmp_path / "r", progress=False, use_cache=False)
    report = evaluate(ds, _clip_method(tiny_clip_dir), ViewConfig(4), tmp_path / "r", progress=False,
                      use_cache=False, skip_bad=True)
    assert report["num_clips"] == 5 and any("corrupt" in s for s in report["skipped"])


# --- likelihood method with a tiny VideoLLM ----------------------------------------------------------------------


def test_likelihood_scores_are_answer_log_probs(shapes_dir, tiny, tmp_path):
    from eval.zeroshot import LikelihoodMethod
    from tests.helpers import tiny_assistant

    tiny_assistant(*tiny).save_pretrained(tmp_path / "m", include_llm=True)
    method = LikelihoodMethod(model_dir=str(tmp_path / "m"), with_labels=False)
    ds = load_dataset(shapes_dir, split=None)
    views = harness.to_views(harness.decode_views(ds.samples[0].path, ViewConfig(4), 64)[0], ViewConfig(4),
                             method.transform)
    feats = method.encode(views)
    scores = method.scores([feats], ds)
    assert scores.shape == (1, 3)
    # By hand for one class: the mean log-probability of its answer tokens after the prompt.
    proc, model = method.assistant.processor, method.assistant.model
    prompt = proc(method._prompt(feats), num_frames=4)["input_ids"][0]
    answer = torch.tensor(proc.tokenizer(ds.texts[ds.classes[1]] + ".", add_special_tokens=False)["input_ids"])
    ids = torch.cat([prompt, answer])[None]
    with torch.no_grad():
        logp = model(input_ids=ids, video_features=feats["video_features"][:1]).logits[0].float().log_softmax(-1)
    expected = logp[len(prompt) - 1:-1].gather(-1, answer[:, None]).mean()
    assert torch.allclose(scores[0, 1], expected, atol=1e-4)


def test_likelihood_scores_features_from_fewer_frames_than_the_model_was_set_up_with(shapes_dir, tiny, tmp_path):
    """`--frames 2` with a model (or adapter) made for 4 frames: the prompt gets as many video tokens as the
    features have (the reader adapter, made for 16 frames, failed on 8: "tokens: 1344, features 672")."""
    from eval.zeroshot import LikelihoodMethod
    from tests.helpers import tiny_assistant

    tiny_assistant(*tiny).save_pretrained(tmp_path / "m", include_llm=True)
    method = LikelihoodMethod(model_dir=str(tmp_path / "m"), with_labels=False)
    assert method.assistant.config.num_frames == 4
    ds = load_dataset(shapes_dir, split=None)
    views = harness.to_views(harness.decode_views(ds.samples[0].path, ViewConfig(2), 64)[0], ViewConfig(2),
                             method.transform)
    scores = method.scores([method.encode(views)], ds)
    assert scores.shape == (1, 3) and torch.isfinite(scores).all()


# --- sharding ----------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_processes_give_the_same_report(shapes_dir, tiny_clip_dir, tmp_path):
    env = {**os.environ, "VLM_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    args = ["eval", "zero-shot", str(shapes_dir), "--method", "clip", "--model", str(tiny_clip_dir), "--frames", "4",
            "--quiet", "--no-cache"]
    one = subprocess.run([sys.executable, "-m", "vlm", *args, "--out", str(tmp_path / "one")], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                          "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                          "-m", "vlm", *args, "--out", str(tmp_path / "two")], env=env, capture_output=True,
                         text=True, cwd=ROOT, timeout=600)
    assert two.returncode == 0, two.stderr[-3000:]
    a, b = (json.loads((tmp_path / r / "report.json").read_text()) for r in ("one", "two"))
    assert b["meta"]["processes"] == 2 and a["meta"]["processes"] == 1
    for key in ("top1", "top5", "confusion", "per_class", "clips"):
        assert a[key] == b[key], key


# --- the embedded semantic method on real clips ------------------------------------------------------------------


@pytest.mark.slow
def test_semantic_on_real_action_clips_is_far_above_chance(tmp_path):
    from eval.zeroshot import build_method
    from tests.conftest import SHARED_VIDEOS, shared_clip

    shared_clip("actions/yoga/yoga.mp4")
    ds = load_dataset(SHARED_VIDEOS / "manifest.csv", split="actions")
    report = evaluate(ds, build_method("semantic"), ViewConfig(8), tmp_path / "run", progress=False)
    assert report["num_classes"] == 21
    assert report["top1"] >= 5 * report["chance"] and report["top5"] > report["top1"]


def test_token_probe_separates_what_is_there_and_not_what_is_not():
    from eval.probe_tokens import linear_probe

    g = torch.Generator().manual_seed(0)
    y = torch.arange(200) % 4
    signal = torch.nn.functional.one_hot(y, 4).float() @ torch.randn(4, 16, generator=g)      # class-dependent
    x = signal + 0.3 * torch.randn(200, 16, generator=g)
    assert linear_probe(x[:150], y[:150], x[150:], y[150:], 4) > 0.9
    noise = torch.randn(200, 16, generator=g)                                                  # no class signal
    assert linear_probe(noise[:150], y[:150], noise[150:], y[150:], 4) < 0.5


def test_token_probe_reads_question_kinds_from_conversations():
    from adapters.data import Example
    from eval.probe_tokens import answers

    turns = ({"role": "user", "content": "What colour is the shape?"}, {"role": "assistant", "content": "red"},
             {"role": "user", "content": "Which way does the shape move?"}, {"role": "assistant", "content": "left"})
    assert answers([Example(Path("a.mp4"), turns)]) == {Path("a.mp4"): {"colour": "red", "direction": "left"}}
