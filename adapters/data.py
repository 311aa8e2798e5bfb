"""Training data for adapters: LLaVA-style JSONL conversations, a CSV of captions, or a folder of clips with a
.txt caption beside each; plus a synthetic question/answer set from the generator and pseudo-captions.

Every format becomes `Example(video, turns)` with turns in chat roles (user/assistant). Paths are relative to the
data file (or folder). All bad rows are collected and raised together in one `DataError`.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vlm.constants import VIDEO_TOKEN
from vlm.errors import ProblemsError
from vlm.video import VIDEO_EXTENSIONS, VideoReadError, probe

CAPTION_QUESTION = "Describe the video."
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant"}


class DataError(ProblemsError):
    """Every problem found in the training data, listed together."""


@dataclass(frozen=True)
class Example:
    video: Path
    turns: tuple[dict, ...]   # [{"role": "user"|"assistant", "content": str}, ...], user first, answers to learn
    kind: str = ""            # optional tag for per-kind metrics ("motion", "appearance", ...)
    facts: str | None = None  # the perception context to put in the prompt (JSONL "facts"; else watched, if asked)


def _turns_from_llava(conv, where: str, problems: list[str]) -> tuple[dict, ...] | None:
    if not isinstance(conv, list) or len(conv) < 2:
        problems.append(f"{where}: 'conversations' must be a list of at least two turns")
        return None
    turns = []
    for k, t in enumerate(conv):
        role = ROLES.get(t.get("from") if isinstance(t, dict) else None)
        value = t.get("value") if isinstance(t, dict) else None
        if role is None or not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: turn {k} needs 'from' (human/gpt) and a non-empty 'value'")
            return None
        if role == ("user" if k % 2 == 0 else "assistant"):
            turns.append({"role": role, "content": value.replace(VIDEO_TOKEN, "").strip()})
        else:
            problems.append(f"{where}: turns must alternate human, gpt, ... (turn {k} is {t.get('from')!r})")
            return None
    if turns[-1]["role"] != "assistant":
        problems.append(f"{where}: the last turn must be the answer (gpt)")
        return None
    return tuple(turns)


def _check_video(path: Path, root: Path, where: str, problems: list[str], check_decode: bool) -> bool:
    if not path.exists():
        problems.append(f"{where}: missing video {path}")
    else:
        if not check_decode:
            return True
        try:
            probe(path)
            return True
        except VideoReadError as e:
            problems.append(f"{where}: {e}")
    return False


def load_jsonl(path: Path, *, check_decode: bool = True) -> list[Example]:
    root, out, problems = path.parent, [], []
    checked: dict[Path, bool] = {}  # many rows share a clip (the reader's set): probe each file once
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"line {n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: not valid JSON ({e.msg})")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("video"), str):
                problems.append(f"{where}: needs a 'video' path")
                continue
            turns = _turns_from_llava(row.get("conversations"), where, problems)
            facts = row.get("facts")
            if facts is not None and not (isinstance(facts, str) and facts.strip()):
                problems.append(f"{where}: 'facts' must be a non-empty string")
                continue
            video = root / row["video"]
            if turns and video not in checked:
                checked[video] = _check_video(video, root, where, problems, check_decode)
            if turns and checked.get(video):
                out.append(Example(video.resolve(), turns, str(row.get("kind", "")), facts))
    if problems:
        raise DataError(path, problems)
    return out


def load_caption_csv(path: Path, *, check_decode: bool = True) -> list[Example]:
    root, out, problems = path.parent, [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not {"video", "caption"} <= set(reader.fieldnames or []):
            raise DataError(path, [f"needs columns 'video' and 'caption'; found {reader.fieldnames}"])
        for n, row in enumerate(reader, start=2):
            where = f"line {n}"
            if not (row["video"] or "").strip() or not (row["caption"] or "").strip():
                problems.append(f"{where}: empty video or caption")
                continue
            video = root / row["video"].strip()
            if _check_video(video, root, where, problems, check_decode):
                out.append(Example(video.resolve(), caption_turns(row["caption"].strip()), "caption"))
    if problems:
        raise DataError(path, problems)
    return out


def load_folder(root: Path, *, check_decode: bool = True) -> list[Example]:
    out, problems = [], []
    for video in sorted(p for p in root.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS):
        txt = video.with_suffix(".txt")
        if not txt.exists() or not txt.read_text(encoding="utf-8").strip():
            problems.append(f"{video.relative_to(root)}: no caption ({txt.name} missing or empty)")
        elif _check_video(video, root, str(video.relative_to(root)), problems, check_decode):
            out.append(Example(video.resolve(), caption_turns(txt.read_text(encoding="utf-8").strip()), "caption"))
    if problems:
        raise DataError(root, problems)
    return out


def caption_turns(caption: str) -> tuple[dict, ...]:
    return ({"role": "user", "content": CAPTION_QUESTION}, {"role": "assistant", "content": caption})


def load_training_data(path: str | Path, *, check_decode: bool = True) -> list[Example]:
    """JSONL (LLaVA conversations), CSV (video,caption) or a folder of clips with .txt captions."""
    path = Path(path)
    if path.is_dir():
        examples = load_folder(path, check_decode=check_decode)
    elif not path.exists():
        raise DataError(path, ["no such file or folder"])
    elif path.suffix == ".jsonl":
        examples = load_jsonl(path, check_decode=check_decode)
    elif path.suffix == ".csv":
        examples = load_caption_csv(path, check_decode=check_decode)
    else:
        raise DataError(path, [f"unsupported data format {path.suffix!r}; use .jsonl, .csv or a folder"])
    if not examples:
        raise DataError(path, ["no examples"])
    return examples


# --- synthetic question/answer sets ------------------------------------------------------------------------------


def synth_questions(scene) -> list[tuple[str, str, str]]:
    """(question, answer, kind) pairs whose answers need motion or appearance from the video.

    No question names another's answer: training packs a clip's questions into one conversation, and "Which way
    does the red circle move?" beside "What colour is the shape?" teaches copying from the text, not looking."""
    sh = scene.shapes[0]
    return [
        ("Which way does the shape move?", sh.direction, "motion"),
        ("Does the shape get bigger or smaller?", "bigger" if sh.growth > 1 else "smaller", "motion"),
        ("What colour is the shape?", sh.colour, "appearance"),
        ("What shape is it?", sh.shape, "appearance"),
    ]


def synth_scene(rng: np.random.Generator, index: int, *, num_frames: int = 24, fps: float = 12.0, size: int = 128):
    from dataclasses import replace

    from vlm.data.synthetic import SHAPES, Scene, random_shape

    shape = random_shape(rng, shape=SHAPES[index % len(SHAPES)])
    shape = replace(shape, growth=float(rng.choice([1.35, 0.7])), size=float(rng.uniform(0.22, 0.3)))
    return Scene(shapes=(shape,), width=size, height=size, fps=fps, num_frames=num_frames,
                 background=str(rng.choice(["grey", "dark", "sand", "sky"])), seed=int(rng.integers(1 << 31)))


def write_synthetic_set(out_dir: str | Path, n: int, *, seed: int = 0, test_fraction: float = 0.2,
                        progress: bool = True) -> dict[str, Path]:
    """n clips + train.jsonl / test.jsonl (split by clip) + captions.csv. A training line is one clip's whole
    conversation (its four questions in a random order: the video is read once for four answers, as LLaVA packs
    its data); a test line is one question, so accuracy is per question and per kind. Answers are single words."""
    from tqdm import tqdm

    from vlm.data.synthetic import caption, write_clip

    out = Path(out_dir)
    (out / "clips").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_test = max(1, int(round(n * test_fraction))) if n > 1 else 0
    files = {"train": open(out / "train.jsonl", "w"), "test": open(out / "test.jsonl", "w")}
    captions = []
    try:
        for i in tqdm(range(n), desc="synthetic clips", disable=not progress):
            scene = synth_scene(rng, i)
            rel = f"clips/{i:05d}.mp4"
            write_clip(scene, out / rel)
            captions.append((rel, caption(scene)))
            qa = synth_questions(scene)
            if i >= n - n_test:
                for q, a, kind in qa:
                    row = {"video": rel, "kind": kind, "conversations": [
                        {"from": "human", "value": f"{VIDEO_TOKEN}\n{q}"}, {"from": "gpt", "value": a}]}
                    files["test"].write(json.dumps(row) + "\n")
            else:
                turns = []
                for k in rng.permutation(len(qa)):
                    q, a, _ = qa[k]
                    turns += [{"from": "human", "value": (f"{VIDEO_TOKEN}\n" if not turns else "") + q},
                              {"from": "gpt", "value": a}]
                files["train"].write(json.dumps({"video": rel, "kind": "mixed", "conversations": turns}) + "\n")
    finally:
        for f in files.values():
            f.close()
    with open(out / "captions.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["video", "caption"])
        w.writerows(captions)
    return {"train": out / "train.jsonl", "test": out / "test.jsonl", "captions": out / "captions.csv"}


def pseudo_captions(assistant, videos_dir: str | Path, out_file: str | Path, *, progress: bool = True) -> int:
    """A video,caption CSV for every clip under videos_dir, written from the perception context (to edit)."""
    from tqdm import tqdm

    root = Path(videos_dir)
    out_file = Path(out_file)
    clips = sorted(p for p in root.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS)
    rows, problems = [], []
    for clip in tqdm(clips, desc="pseudo-captions", disable=not progress):
        try:
            ctx = assistant.watch(clip).context
        except VideoReadError as e:
            problems.append(str(e))
            continue
        rel = os.path.relpath(clip.resolve(), out_file.parent.resolve())  # paths are relative to the CSV
        rows.append((Path(rel).as_posix(), context_caption(ctx)))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with open(out_file, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["video", "caption"])
        w.writerows(rows)
    if problems:
        raise DataError(root, problems)
    return len(rows)


def context_caption(ctx) -> str:
    """One sentence from a perception context: what is seen, how it moves, cuts."""
    from vlm.perception import motion_word

    things = ", ".join(n for n, _ in ctx.labels[:3]) or "an unrecognised scene"
    speed = float(np.mean([s.motion for s in ctx.segments])) if ctx.segments else 0.0
    dirs = [s.direction for s in ctx.segments if s.direction != "none"]
    direction = f", mostly {max(set(dirs), key=dirs.count)}ward" if dirs else ""
    cuts = f"; the shot changes {len(ctx.cuts)} time(s)" if ctx.cuts else "; one continuous shot"
    return f"A {ctx.info.duration:.0f}-second video showing {things}, with {motion_word(speed)} motion{direction}{cuts}."
