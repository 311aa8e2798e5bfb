"""LLM-guided generation, measured on 20 prompts in LVD's categories (numeracy, spatial relations, direction of
motion, size change, attributes).

    python -m eval.bench_generation [--out eval/results] [--llm NAME]

Per prompt: whether a valid plan came out (and in how many attempts), plan-vs-prompt correctness (rules written
for each prompt, checked on the plan), the rendered video's plan adherence (the verifier), and seconds for a
48-frame 256x256 video including planning. Writes generation.json and generation.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

# (category, prompt, rules). Rules name entities by a word in their name or shape.
SUITE = [
    ("numeracy", "three red balls on the grass", [("count", "ball", 3), ("colour", "ball", "red")]),
    ("numeracy", "two blue cars side by side", [("count", "car", 2), ("colour", "car", "blue")]),
    ("numeracy", "four yellow stars in the night sky", [("count", "star", 4), ("colour", "star", "yellow")]),
    ("numeracy", "one orange fish in the sea", [("count", "fish", 1), ("colour", "fish", "orange")]),
    ("spatial", "a green tree to the left of a red house", [("left_of", "tree", "house")]),
    ("spatial", "a yellow sun above a blue house", [("above", "sun", "house")]),
    ("spatial", "a white cloud above a green tree", [("above", "cloud", "tree")]),
    ("spatial", "a red car to the right of a person", [("left_of", "person", "car")]),
    ("direction", "a red ball rolls from left to right", [("moves", "ball", "right")]),
    ("direction", "a blue square falls from the top to the bottom", [("moves", "square", "down")]),
    ("direction", "a car drives from right to left", [("moves", "car", "left")]),
    ("direction", "a yellow sun rises into the sky", [("moves", "sun", "up")]),
    ("direction", "a fish swims to the left in the sea", [("moves", "fish", "left")]),
    ("size", "a red ball grows bigger", [("size", "ball", "grows")]),
    ("size", "a white cloud shrinks", [("size", "cloud", "shrinks")]),
    ("size", "a green circle grows in the middle of the frame", [("size", "circle", "grows")]),
    ("attributes", "a purple star and an orange circle", [("colour", "star", "purple"), ("colour", "circle", "orange")]),
    ("attributes", "a pink fish and a grey fish", [("count", "fish", 2), ("colours", "fish", {"pink", "grey"})]),
    ("attributes", "a black car next to a white house", [("colour", "car", "black"), ("colour", "house", "white")]),
    ("attributes", "a brown tree and a yellow sun", [("colour", "tree", "brown"), ("colour", "sun", "yellow")]),
]

# Prompts for developing the planner (its worked examples, wording and schema), apart from the measured SUITE.
DEV_SUITE = [
    ("numeracy", "two green trees on a hill", [("count", "tree", 2), ("colour", "tree", "green")]),
    ("numeracy", "five white stars", [("count", "star", 5), ("colour", "star", "white")]),
    ("numeracy", "a single purple ball", [("count", "ball", 1), ("colour", "ball", "purple")]),
    ("numeracy", "three grey clouds in the sky", [("count", "cloud", 3), ("colour", "cloud", "grey")]),
    ("spatial", "a blue ball to the left of a yellow square", [("left_of", "ball", "square")]),
    ("spatial", "a red sun above a green car", [("above", "sun", "car")]),
    ("spatial", "an orange fish below a white cloud", [("above", "cloud", "fish")]),
    ("spatial", "a black house to the right of a pink tree", [("left_of", "tree", "house")]),
    ("direction", "a green car moves to the left", [("moves", "car", "left")]),
    ("direction", "a white ball drops down", [("moves", "ball", "down")]),
    ("direction", "a purple star flies up", [("moves", "star", "up")]),
    ("direction", "a person walks from left to right", [("moves", "person", "right")]),
    ("direction", "an orange fish swims right", [("moves", "fish", "right")]),
    ("size", "a yellow star gets smaller", [("size", "star", "shrinks")]),
    ("size", "a blue circle expands", [("size", "circle", "grows")]),
    ("size", "a red square becomes larger", [("size", "square", "grows")]),
    ("attributes", "a cyan car and a brown house", [("colour", "car", "cyan"), ("colour", "house", "brown")]),
    ("attributes", "a green star and a red star", [("count", "star", 2), ("colours", "star", {"green", "red"})]),
    ("attributes", "an orange triangle next to a blue circle",
     [("colour", "triangle", "orange"), ("colour", "circle", "blue")]),
    ("attributes", "a white fish and a black ball", [("colour", "fish", "white"), ("colour", "ball", "black")]),
]


def _find(plan, word: str):
    return [e for e in plan.entities if word in e.name.lower() or word == e.shape]


def _centre(box):
    x, y, w, h = box
    return x + w / 2, y + h / 2


def check_rule(plan, rule) -> bool:
    kind, word = rule[0], rule[1]
    found = _find(plan, word)
    if kind == "count":
        return len(found) == rule[2]
    if not found:
        return False
    if kind == "colour":
        return all(e.colour == rule[2] for e in found)
    if kind == "colours":
        return {e.colour for e in found} == rule[2]
    if kind in ("left_of", "above"):
        others = _find(plan, rule[2])
        if not others:
            return False
        axis = 0 if kind == "left_of" else 1
        return all(_centre(a.boxes[k])[axis] < _centre(b.boxes[k])[axis]
                   for a in found for b in others for k in range(len(a.boxes)))
    if kind == "moves":
        (x0, y0), (x1, y1) = _centre(found[0].boxes[0]), _centre(found[0].boxes[-1])
        dx, dy = x1 - x0, y1 - y0
        return {"right": dx >= 20, "left": dx <= -20, "down": dy >= 20, "up": dy <= -20}[rule[2]]
    if kind == "size":
        a0 = found[0].boxes[0][2] * found[0].boxes[0][3]
        a1 = found[0].boxes[-1][2] * found[0].boxes[-1][3]
        return a1 >= 1.5 * a0 if rule[2] == "grows" else a1 <= a0 / 1.5
    raise ValueError(f"unknown rule {rule}")


def run_suite(planner, suite) -> list[dict]:
    from vlm.generation import generate
    from vlm.generation.plan import PlanError

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (cat, prompt, rules) in enumerate(suite):
            t = time.perf_counter()
            try:
                res = generate(prompt, Path(tmp) / f"{i}.mp4", planner=planner, num_frames=48, fps=12, size=256)
                passed = [check_rule(res.plan, r) for r in rules]
                row = {"category": cat, "prompt": prompt, "valid": True, "attempts": res.attempts,
                       "correct": sum(passed) / len(passed), "rules": [str(r) for r, ok in zip(rules, passed) if not ok],
                       "adherence": res.verification.score, "replanned": res.replanned,
                       "seconds": time.perf_counter() - t, "plan": res.plan.model_dump()}
            except PlanError as e:
                row = {"category": cat, "prompt": prompt, "valid": False, "error": str(e), "correct": 0.0,
                       "adherence": None, "seconds": time.perf_counter() - t}
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "plan"})[:300], file=sys.stderr)
    return rows


def summarise(rows: list[dict]) -> dict:
    valid = [r for r in rows if r["valid"]]
    by_cat = {}
    for cat in dict.fromkeys(r["category"] for r in rows):
        sel = [r for r in rows if r["category"] == cat]
        by_cat[cat] = {"correct": sum(r["correct"] for r in sel) / len(sel),
                       "adherence": sum(r["adherence"] or 0 for r in sel) / len(sel)}
    return {"prompts": len(rows), "valid_plan_rate": len(valid) / len(rows),
            "mean_correctness": sum(r["correct"] for r in rows) / len(rows),
            "fully_correct": sum(r["correct"] == 1 for r in rows) / len(rows),
            "mean_adherence": sum(r["adherence"] for r in valid) / max(len(valid), 1),
            "mean_seconds": sum(r["seconds"] for r in rows) / len(rows),
            "max_seconds": max(r["seconds"] for r in rows), "by_category": by_cat}


def main(argv: list[str] | None = None) -> int:
    from vlm.generation import Planner
    from vlm.weights import DEFAULT_LLM, load_causal_lm

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--llm", default=None)
    p.add_argument("--modes", nargs="+", default=["layout", "boxes"], choices=["layout", "boxes"])
    args = p.parse_args(argv)
    model, tokenizer = load_causal_lm(args.llm or DEFAULT_LLM)
    results = {}
    for mode in args.modes:
        planner = Planner(model, tokenizer, mode=mode)
        rows = run_suite(planner, SUITE)
        dev = summarise(run_suite(planner, DEV_SUITE)) if mode == args.modes[0] else None
        results[mode] = {"summary": summarise(rows), "dev_summary": dev, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "generation.json").write_text(json.dumps({"llm": args.llm or DEFAULT_LLM, "modes": results},
                                                         indent=2, default=sorted) + "\n")
    md = markdown(results)
    (args.out / "generation.md").write_text(md)
    print(md)
    return 0


def markdown(results: dict) -> str:
    modes = list(results)
    sums = [results[m]["summary"] for m in modes]
    names = {"layout": "layout words (default)", "boxes": "boxes written by the LLM"}
    md = ["| metric | " + " | ".join(names[m] for m in modes) + " |", "|---|" + "---|" * len(modes),
          "| valid plans | " + " | ".join(f"{s['valid_plan_rate']:.0%} of {s['prompts']}" for s in sums) + " |",
          "| plan-vs-prompt correctness (mean of rules) | " + " | ".join(f"{s['mean_correctness']:.0%}" for s in sums)
          + " |",
          "| prompts with every rule right | " + " | ".join(f"{s['fully_correct']:.0%}" for s in sums) + " |",
          "| rendered plan adherence (verifier) | " + " | ".join(f"{s['mean_adherence']:.0%}" for s in sums) + " |",
          "| seconds per 48-frame 256x256 video, incl. planning | "
          + " | ".join(f"mean {s['mean_seconds']:.1f}, max {s['max_seconds']:.1f}" for s in sums) + " |", "",
          "| category | " + " | ".join(f"correctness ({m}) | adherence ({m})" for m in modes) + " |",
          "|---|" + "---|---|" * len(modes)]
    for cat in sums[0]["by_category"]:
        md.append(f"| {cat} | " + " | ".join(f"{s['by_category'][cat]['correct']:.0%} | "
                                            f"{s['by_category'][cat]['adherence']:.0%}" for s in sums) + " |")
    dev = results[modes[0]]["dev_summary"]
    if dev:
        md += ["", f"The {modes[0]} planner's worked examples and wording were developed on {dev['prompts']} other "
                   f"prompts (`DEV_SUITE`: {dev['mean_correctness']:.0%} correctness there); the table is the "
                   f"held-out suite."]
    return "\n".join(md) + "\n"


if __name__ == "__main__":
    sys.exit(main())
