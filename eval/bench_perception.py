"""Perception benchmark: what every part costs, peak memory, a 10-minute video with speech, and the cues' effect
on zero-shot classification.

    python -m eval.bench_perception [--out eval/results] [--skip-long] [--skip-speed] [--skip-activity] [--skip-scenes]

- speed: in one fresh process, after a warm-up, each short clip is watched with the vision facts only (the
  assistant before this benchmark's parts) and with every part, side by side; per-part seconds; the process's
  own peak RSS with all models loaded (VmHWM). Target: <= 2.5 s per 10 s clip, <= 2.5 GB.
- long: a generated 10-minute 1280x720 video with a sentence spoken every 30 s. A fresh process loads the models,
  then times watching + the first full answer (target <= 10 s; the transcript follows in the background), the
  transcript's completion, and a second question; a second fresh process watches it again (transcript cached).
- activity: 21-class zero-shot top-1 on the real action clips, the semantic method without and with the cues
  (and each cue alone), plus the likely-activity guess's top-1/top-3 over ~800 action names, and how often it
  names sign language on the signing clips with and without the gesturing-hands cue.
- scenes: indoors or outdoors right on the clips labelled by hand (eval/qa/scenes.csv), now and before.
Writes perception.json and perception.md (tables) into --out.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

SHORT_CLIPS = ["demo/man_on_stage_concert_applause.mp4", "demo/cutting_bell_peppers.mp4",
               "demo/baby_with_book.mp4", "demo/kids_basketball_in_gym.mp4", "demo/dog_riding_skateboard.mp4",
               "actions/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi"]
SENTENCES = ["Welcome back to the morning show.", "The weather today is sunny and warm.",
             "Our next guest is a famous chef.", "She will cook a simple pasta dish.",
             "First, boil the water in a large pot.", "Add a pinch of salt to the water.",
             "Now chop the tomatoes and the garlic.", "Fry the garlic in olive oil for a minute.",
             "Put the pasta in the boiling water.", "Stir the sauce and taste it.",
             "The pasta needs about ten minutes.", "Drain the pasta and mix it with the sauce.",
             "Sprinkle some cheese on top.", "Thank you all for watching today.",
             "Tomorrow we will talk about gardening.", "Plant the seeds in early spring.",
             "Water the garden every evening.", "The tomatoes will be ready in summer.",
             "Remember to rest on the weekend.", "Goodbye and see you next week."]
QUESTION = "What is the video about?"


def peak_rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 ** 2
    return float("nan")


def _child(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-m", "eval.bench_perception", *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- speed ------------------------------------------------------------------------------------------------------


def _speed(clips: list[str]) -> dict:
    """In the child: vision-only and all-parts watch times per clip, warm, no result cache."""
    from vlm.assistant import VideoAssistant
    from vlm.perception import Perceiver, PerceptionSettings

    assistant = VideoAssistant.build()
    assistant._perceiver = Perceiver(PerceptionSettings(use_cache=False))
    assistant.watch(clips[0])  # loads every model once
    rows = []
    for path in clips:
        assistant.config.perception = False
        t = time.perf_counter()
        assistant.watch(path)
        vision = time.perf_counter() - t
        assistant.config.perception = True
        t = time.perf_counter()
        video = assistant.watch(path)
        full = time.perf_counter() - t
        rows.append({"clip": path, "duration_s": round(video.info.duration, 2), "vision_only_s": round(vision, 3),
                     "all_parts_s": round(full, 3),
                     "parts_s": {n: round(s.seconds, 3) for n, s in video.context.parts.items()},
                     "context_tokens": assistant.count_tokens(video.context.to_text())})
    answer = assistant.answer(video, QUESTION, max_new_tokens=24)
    return {"rows": rows, "peak_rss_gb": round(peak_rss_gb(), 3), "answer": answer}


def speed_table(res: dict) -> str:
    names = ["speech", "text", "people"]
    lines = ["| clip | length (s) | vision facts only (s) | every part (s) | " + " | ".join(names) +
             " (s, each) | context tokens |", "|---|---|---|---|" + "---|" * len(names) + "---|"]
    for r in res["rows"]:
        lines.append(f"| {Path(r['clip']).name} | {r['duration_s']:.1f} | {r['vision_only_s']:.2f} | "
                     f"{r['all_parts_s']:.2f} | " + " | ".join(f"{r['parts_s'].get(n, 0):.2f}" for n in names)
                     + f" | {r['context_tokens']} |")
    worst = max(r["all_parts_s"] for r in res["rows"] if r["duration_s"] <= 15)
    lines.append(f"\nWorst clip of up to 15 s: {worst:.2f} s with every part (target 2.5 s). Peak RSS of the "
                 f"process with every model loaded: {res['peak_rss_gb']:.2f} GB (target 2.5 GB). Speech starts "
                 "before the frames are decoded and runs beside them, so the parts' seconds add up to more than "
                 "the difference.")
    return "\n".join(lines)


# --- a long video with speech -----------------------------------------------------------------------------------


def long_video_with_speech() -> Path:
    from eval.bench_chat import long_video
    from vlm.data.av import RATE, Utterance, mux_audio, speech_track
    from vlm.weights import cache_dir

    out = cache_dir() / "bench" / "long_10min_720p_speech.mp4"
    if not out.exists():
        video = long_video()
        speech = [Utterance(s, 15.0 + 30.0 * i) for i, s in enumerate(SENTENCES)]
        mux_audio(video, speech_track(speech, 600.0), out)
        assert out.stat().st_size > 0 and RATE == 16000
    return out


def _long(path: str, wait: bool) -> dict:
    from vlm.assistant import VideoAssistant

    t0 = time.perf_counter()
    assistant = VideoAssistant.build()
    load = time.perf_counter() - t0
    t = time.perf_counter()
    video = assistant.watch(path)
    watch = time.perf_counter() - t
    pending = list(video.context.pending)
    answer = assistant.answer(video, QUESTION, max_new_tokens=48)
    first = time.perf_counter() - t
    out = {"load_s": round(load, 2), "watch_s": round(watch, 2), "first_answer_s": round(first, 2),
           "pending_at_first_answer": pending, "first_answer": answer,
           "speech_cached": video.context.parts["speech"].cached}
    if wait:
        video.context.wait()
        out["transcript_done_after_s"] = round(time.perf_counter() - t, 2)
        out["segments"] = len(video.context.part("speech").segments)
        t = time.perf_counter()
        out["second_answer"] = assistant.answer(video, "What does the chef cook?", max_new_tokens=48)
        out["second_answer_s"] = round(time.perf_counter() - t, 2)
    out["peak_rss_gb"] = round(peak_rss_gb(), 3)
    return out


def long_table(first: dict, again: dict) -> str:
    return "\n".join([
        "| 10-minute 1280x720 video, a sentence every 30 s | seconds |", "|---|---|",
        f"| watch in a fresh process (16 frames, text, people, loading their models; then speech starts in the "
        f"background) | {first['watch_s']:.2f} |",
        f"| watch + first full answer (target 10 s) | {first['first_answer_s']:.2f} |",
        f"| transcript complete ({first['segments']} segments), after the question | "
        f"{first['transcript_done_after_s']:.1f} |",
        f"| second question, transcript in the context | {first['second_answer_s']:.2f} |",
        f"| a new process: watch + first answer, transcript from the cache | {again['first_answer_s']:.2f} |",
        "", f"Pending at the first answer: {', '.join(first['pending_at_first_answer']) or 'nothing'}; "
        f"in the new process: {', '.join(again['pending_at_first_answer']) or 'nothing'} "
        f"(speech cached: {again['speech_cached']}). Peak RSS {first['peak_rss_gb']:.2f} GB."])


# --- activity cues ----------------------------------------------------------------------------------------------


def activity() -> dict:
    import tempfile

    from eval.datasets import load_dataset
    from eval.harness import ViewConfig, evaluate
    from eval.zeroshot import build_method
    from vlm.perception.activity import ActivityScorer
    from vlm.samples import shared_videos_dir

    data = load_dataset(shared_videos_dir() / "manifest.csv", split="actions")
    runs = {}
    for name, cues in [("alone (before)", None), ("+ all cues (after)", {}),
                       ("+ words heard or read only", {"pose_bonus": 0.0, "gesture_bonus": 0.0}),
                       ("+ upside-down pose only", {"text_weight": 0.0, "gesture_bonus": 0.0}),
                       ("+ gesturing hands only", {"text_weight": 0.0, "pose_bonus": 0.0})]:
        method = build_method("semantic", cues=cues is not None)
        if cues:
            method.cue_scorer = ActivityScorer(**cues)
        with tempfile.TemporaryDirectory() as tmp:
            rep = evaluate(data, method, ViewConfig(num_frames=8), Path(tmp), progress=False)
        runs[name] = {"top1": rep["top1"], "top5": rep["top5"]}
    return {"zero_shot": runs, "guess": _guess_accuracy(data),
            "signing": _signing_guess(load_dataset(shared_videos_dir() / "manifest.csv", split="gestures"))}


def _signing_guess(data) -> dict:
    """On the signing clips (ASL): how often the likely-activity guess names sign language, with and without the
    gesturing-hands cue."""
    from vlm.assistant import VideoAssistant
    from vlm.perception.activity import ActivityScorer, cues

    assistant = VideoAssistant.build()
    scorers = {"with the gesturing cue": ActivityScorer(), "without it": ActivityScorer(gesture_bonus=0.0)}
    hits = dict.fromkeys(scorers, 0)
    for s in data.samples:
        video = assistant.watch(s.path, num_frames=8)
        video.context.wait()
        for name, scorer in scorers.items():
            hits[name] += "sign language" in scorer.likely(video.frame_probs.mean(0), **cues(video.context))[0][0]
    return {"clips": len(data.samples), **{k: v / len(data.samples) for k, v in hits.items()}}


def _guess_accuracy(data) -> dict:
    """The context's likely-activity guess over the vocabulary: is a right name among its top k? Right names:
    those meaning the clip's class (MiniLM cosine >= 0.8 with the vocabulary name nearest the label text, so
    'biking' counts for 'riding a bike'). Also the confidence it states for its top guess, against how often
    the top guess is right (calibration)."""
    from vlm.assistant import VideoAssistant
    from vlm.perception.activity import cues, default_activity_scorer

    assistant = VideoAssistant.build()
    scorer = default_activity_scorer()
    emb = scorer._scorer.text_embeddings(scorer.vocabulary)
    hits = {1: 0, 3: 0}
    stated = 0.0
    for s in data.samples:
        target = int((scorer._scorer.text_embeddings([data.texts[s.label]]) @ emb.T).argmax())
        right = (emb @ emb[target]) >= 0.8
        video = assistant.watch(s.path, num_frames=8)
        video.context.wait()  # the cues come from the background parts
        top = [i for i, _ in scorer.ranked(video.frame_probs.mean(0), max(hits), **cues(video.context))]
        for k in hits:
            hits[k] += bool(right[top[:k]].any())
        stated += video.context.activity[0][1]
    n = len(data.samples)
    return {"top1": hits[1] / n, "top3": hits[3] / n, "mean_top1_confidence": stated / n, "clips": n}


def activity_table(res: dict) -> str:
    lines = ["| 21 real action clips (chance 4.8%) | top-1 | top-5 |", "|---|---|---|"]
    for name, r in res["zero_shot"].items():
        lines.append(f"| zero-shot `semantic` {name} | {r['top1']:.1%} | {r['top5']:.1%} |")
    g = res["guess"]
    lines.append(f"\nThe context's likely-activity guess over ~800 action names (Kinetics-700, UCF101, HMDB51): "
                 f"top-1 {g['top1']:.1%}, top-3 {g['top3']:.1%} on the same {g['clips']} clips; its mean stated "
                 f"confidence for the top guess is {g['mean_top1_confidence']:.0%}.")
    if "signing" in res:
        s = res["signing"]
        lines.append(f"On the {s['clips']} signing clips (ASL) the guess names sign language "
                     f"{s['with the gesturing cue']:.0%} of the time with the gesturing-hands cue, "
                     f"{s['without it']:.0%} without it.")
    return "\n".join(lines)


# --- indoors or outdoors ----------------------------------------------------------------------------------------

SCENES = Path(__file__).with_name("qa") / "scenes.csv"
OLD_INDOOR_OUTDOOR = ("indoors, inside a building", "outdoors, in the open air")  # before: top-10 match to two texts


def scenes() -> dict:
    """Indoors or outdoors, right on the real clips labelled by hand (eval/qa/scenes.csv, split as the QA set),
    the context's guess (vlm.perception.activity.INDOOR_OUTDOOR) beside the earlier two-text match."""
    import csv

    from vlm.assistant import VideoAssistant
    from vlm.perception.activity import default_activity_scorer
    from vlm.samples import shared_videos_dir
    from vlm.semantic import SemanticScorer

    rows = list(csv.DictReader(SCENES.open()))
    assistant, scorer = VideoAssistant.build(), default_activity_scorer()
    old = SemanticScorer(templates=("a photo of a {}.", "a video filmed in a {}.", "{}"))
    hits: dict = {}
    for r in rows:
        probs = assistant.watch(shared_videos_dir() / r["clip"]).frame_probs.mean(0)
        truth = "indoors" if r["indoors"] == "yes" else "outdoors"
        was = old.score_texts(probs.reshape(1, -1), list(OLD_INDOOR_OUTDOOR))[0]
        for split in (r["split"], "all"):
            h = hits.setdefault(split, {"clips": 0, "now": 0, "before": 0})
            h["clips"] += 1
            h["now"] += scorer.place(probs)[1] == truth
            h["before"] += ("indoors" if was[0] > was[1] else "outdoors") == truth
    return {k: {"clips": v["clips"], "now": v["now"] / v["clips"], "before": v["before"] / v["clips"]}
            for k, v in hits.items()}


def scenes_table(res: dict) -> str:
    lines = ["| clips labelled by hand | clips | indoors/outdoors right, now | before (two-text match) |",
             "|---|---|---|---|"]
    for k in ("dev", "test", "all"):
        if k in res:
            lines.append(f"| {k} | {res[k]['clips']} | {res[k]['now']:.0%} | {res[k]['before']:.0%} |")
    return "\n".join(lines)


SECTIONS = [("speed", "Watching short clips"), ("long", "A 10-minute video with speech"),
            ("activity", "Cues for the likely activity"), ("scenes", "Indoors or outdoors")]


def render(results: dict) -> str:
    md = []
    for key, title in SECTIONS:
        if key not in results:
            continue
        r = results[key]
        body = speed_table(r) if key == "speed" else long_table(r["first"], r["again"]) if key == "long" else \
            activity_table(r) if key == "activity" else scenes_table(r)
        md += [f"### {title}", "", body, ""]
    return "\n".join(md)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--skip-long", action="store_true")
    p.add_argument("--skip-activity", action="store_true")
    p.add_argument("--skip-speed", action="store_true", help="keep the speed sections of the last run's JSON")
    p.add_argument("--skip-scenes", action="store_true")
    p.add_argument("--speed-child", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--long-child", help=argparse.SUPPRESS)
    p.add_argument("--wait", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from vlm.runtime import limit_malloc_arenas

    limit_malloc_arenas()  # as the CLI and the app do
    if args.speed_child:
        print(json.dumps(_speed(args.speed_child)))
        return 0
    if args.long_child:
        print(json.dumps(_long(args.long_child, args.wait)))
        return 0

    from vlm.samples import shared_videos_dir

    shared = shared_videos_dir()
    last = args.out / "perception.json"
    results = json.loads(last.read_text()) if last.exists() else {}   # skipped sections keep their last numbers
    results["meta"] = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                       "date": time.strftime("%Y-%m-%d")}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:  # an empty perception cache: every part runs
        env = {"VLM_PERCEPTION_CACHE": tmp}
        if not args.skip_speed:
            results["speed"] = _child(["--speed-child", *[str(shared / c) for c in SHORT_CLIPS]], env)
            print(speed_table(results["speed"]), file=sys.stderr)
        if not (args.skip_long or args.skip_speed):
            path = str(long_video_with_speech())
            first = _child(["--long-child", path, "--wait"], env)
            again = _child(["--long-child", path], env)
            results["long"] = {"first": first, "again": again}
            print(long_table(first, again), file=sys.stderr)
    if not args.skip_activity:
        results["activity"] = activity()
    if not args.skip_scenes:
        results["scenes"] = scenes()
    args.out.mkdir(parents=True, exist_ok=True)
    last.write_text(json.dumps(results, indent=2) + "\n")
    md = render(results)
    (args.out / "perception.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
