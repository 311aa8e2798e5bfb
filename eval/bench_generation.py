"""Generation measured against the prompt, on a generated suite (eval.generation_suite: 320 prompts, 96 nouns,
dev and test halves that share no noun, template or phrasing).

    python -m eval.bench_generation [--split test] [--configs layout free ...] [--limit N] [--out eval/results]

Per prompt: a valid plan or not, the prompt's ground-truth rules (written by the suite's generator, not read
back by the system's parser) checked on the plan and on the rendered video (detected in its pixels), prompts
with every rule right, the verifier's plan adherence, and seconds per 48-frame 256x256 video including planning.
Configurations, all on the same prompts in one run:

- layout: the default (schema from the parsed prompt, prompt placement, re-planning on the prompt's rules)
- one-round: the same without re-planning
- no-placement: without applying the prompt's relations and sizes to the LLM's places
- free: the LLM fills every layout field itself (the schema allows the procedural shapes, every colour)

Writes generation.json, generation.md and generation.png.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = {  # name -> (Planner kwargs, generate kwargs, label)
    "layout": ({"mode": "layout"}, {}, "default: prompt-built schema + placement + re-planning"),
    "one-round": ({"mode": "layout"}, {"rounds": 1}, "without re-planning"),
    "no-placement": ({"mode": "layout", "relations": False}, {}, "without prompt placement"),
    "free": ({"mode": "free"}, {}, "LLM chooses every field (free schema)"),
}
CATEGORIES = ("count", "colour", "motion", "change", "relation", "background")


def run(planner, rows: list[dict], gen_kwargs: dict) -> list[dict]:
    from eval.generation_suite import rule_category
    from vlm.generation import generate
    from vlm.generation.plan import PlanError
    from vlm.generation.rules import check_plan
    from vlm.generation.verify import verify

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            spec, rules = row["spec"], row["rules"]
            t = time.perf_counter()
            rec = {"prompt": row["prompt"], "structure": row["structure"],
                   "rules": [r.describe(spec) for r in rules], "categories": [rule_category(r) for r in rules]}
            try:
                res = generate(row["prompt"], Path(tmp) / f"{i}.mp4", planner=planner, num_frames=48, fps=12,
                               size=256, **gen_kwargs)
                seconds = time.perf_counter() - t
                on_plan = check_plan(res.plan, spec, rules)
                on_video = verify(res.video, res.plan, seed=0, spec=spec, rules=rules).prompt
                rec.update(valid=True, seconds=seconds, plan_ok=[r.ok for r in on_plan],
                           video_ok=[r.ok for r in on_video], seen=[r.seen for r in on_video],
                           adherence=res.verification.score, replanned=res.replanned, unmatched=res.unmatched,
                           system_prompt_adherence=res.prompt_adherence, plan=res.plan.model_dump())
            except PlanError as e:
                rec.update(valid=False, seconds=time.perf_counter() - t, error=str(e),
                           plan_ok=[False] * len(rules), video_ok=[False] * len(rules))
            out.append(rec)
            wrong = [w for w, ok in zip(rec["rules"], rec["video_ok"]) if not ok]
            print(f"[{i + 1}/{len(rows)}] {rec['seconds']:.1f}s {row['prompt']!r} wrong: {wrong}", file=sys.stderr)
    return out


def summarise(recs: list[dict]) -> dict:
    def frac(xs):
        xs = list(xs)
        return sum(xs) / len(xs) if xs else None

    by_cat = {}
    for cat in CATEGORIES:
        plan = [ok for r in recs for c, ok in zip(r["categories"], r["plan_ok"]) if c == cat]
        video = [ok for r in recs for c, ok in zip(r["categories"], r["video_ok"]) if c == cat]
        by_cat[cat] = {"rules": len(video), "plan": frac(plan), "video": frac(video)}
    secs = [r["seconds"] for r in recs]
    return {"prompts": len(recs), "rules": sum(len(r["rules"]) for r in recs),
            "valid_plans": frac(r["valid"] for r in recs),
            "rules_right_plan": frac(ok for r in recs for ok in r["plan_ok"]),
            "rules_right_video": frac(ok for r in recs for ok in r["video_ok"]),
            "prompts_right_plan": frac(all(r["plan_ok"]) for r in recs),
            "prompts_right_video": frac(all(r["video_ok"]) for r in recs),
            "plan_adherence": frac(r["adherence"] for r in recs if r["valid"]),
            "replanned": frac(r.get("replanned", False) for r in recs),
            "unmatched_nouns": sorted({n for r in recs for n in r.get("unmatched", [])}),
            "seconds_mean": sum(secs) / len(secs), "seconds_max": max(secs), "by_category": by_cat}


def markdown(results: dict, split: str, dev: dict | None) -> str:
    names = list(results)
    sums = [results[n]["summary"] for n in names]
    head = "| metric | " + " | ".join(f"{n} ({CONFIGS[n][2]})" for n in names) + " |"
    pct = lambda v: "–" if v is None else f"{v:.0%}"  # noqa: E731
    what = ("Test half" if split == "test" else "Development half") + f": {sums[0]['prompts']} prompts, " \
        f"{sums[0]['rules']} rules" + ("; nouns, templates and phrasings unseen in development." if split == "test"
                                        else ".")
    md = [what, "", head, "|---|" + "---|" * len(names)]
    rows = [("valid plans", "valid_plans"), ("rules right, rendered video", "rules_right_video"),
            ("rules right, plan", "rules_right_plan"), ("prompts fully right, rendered video", "prompts_right_video"),
            ("prompts fully right, plan", "prompts_right_plan"), ("plan adherence (verifier)", "plan_adherence"),
            ("re-planned", "replanned")]
    for label, key in rows:
        md.append(f"| {label} | " + " | ".join(pct(s[key]) for s in sums) + " |")
    md.append("| seconds per 48-frame 256x256 video (mean / max) | "
              + " | ".join(f"{s['seconds_mean']:.1f} / {s['seconds_max']:.1f}" for s in sums) + " |")
    md += ["", "| rule category (rules) | " + " | ".join(f"{n}: video / plan" for n in names) + " |",
           "|---|" + "---|" * len(names)]
    for cat in CATEGORIES:
        md.append(f"| {cat} ({sums[0]['by_category'][cat]['rules']}) | " + " | ".join(
            f"{pct(s['by_category'][cat]['video'])} / {pct(s['by_category'][cat]['plan'])}" for s in sums) + " |")
    unmatched = sums[0]["unmatched_nouns"]
    md += ["", f"Nouns drawn as labelled blobs (no sprite matched): {', '.join(unmatched) or 'none'}."]
    if dev:
        md.append(f"Development half ({dev['prompts']} prompts, default configuration): {pct(dev['rules_right_video'])} "
                  f"of rules and {pct(dev['prompts_right_video'])} of prompts right on the video.")
    md.append("![rules right per category](generation.png)")
    return "\n".join(md) + "\n"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(results)
    x = np.arange(len(CATEGORIES) + 1)
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for k, n in enumerate(names):
        s = results[n]["summary"]
        vals = [s["by_category"][c]["video"] or 0 for c in CATEGORIES] + [s["prompts_right_video"]]
        ax.bar(x + k * width - 0.4 + width / 2, [100 * v for v in vals], width, label=n)
    ax.set_xticks(x, [*CATEGORIES, "whole prompt"])
    ax.set_ylabel("% right on the rendered video")
    ax.axhline(85, color="grey", lw=0.8, ls="--")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, ncol=len(names), loc="lower left")
    ax.set_title("Generation vs prompt rules (test half)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    from eval.generation_suite import suite
    from vlm.generation import Planner
    from vlm.runtime import limit_malloc_arenas
    from vlm.weights import DEFAULT_LLM, load_causal_lm

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--llm", default=None)
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument("--limit", type=int, default=None, help="first N prompts of the split (a quick look)")
    p.add_argument("--no-dev", action="store_true", help="skip the development-half run of the default")
    args = p.parse_args(argv)
    limit_malloc_arenas()
    model, tokenizer = load_causal_lm(args.llm or DEFAULT_LLM)
    rows_all = suite()
    rows = [r for r in rows_all if r["split"] == args.split][: args.limit]
    results = {}
    for name in args.configs:
        planner_kw, gen_kw, _ = CONFIGS[name]
        recs = run(Planner(model, tokenizer, **planner_kw), rows, gen_kw)
        results[name] = {"summary": summarise(recs), "rows": recs}
    dev = None
    if args.split == "test" and not args.no_dev:
        dev_rows = [r for r in rows_all if r["split"] == "dev"][: args.limit]
        dev = summarise(run(Planner(model, tokenizer), dev_rows, {}))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "generation.json").write_text(json.dumps(
        {"llm": args.llm or DEFAULT_LLM, "split": args.split, "configs": results, "dev_summary": dev},
        indent=1) + "\n")
    md = markdown(results, args.split, dev)
    (args.out / "generation.md").write_text(md)
    plot(results, args.out / "generation.png")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
