"""Fine-tuning, measured: QA accuracy before/after the default recipe, the token budget trade-off, and cost.

    python -m eval.bench_finetune [--out eval/results] [--clips 400] [--skip-budget] [--skip-cost] [--cost-only]

1. A synthetic QA set (clips of moving shapes; questions whose answers need motion or appearance), 20% of the
   clips held out. Written once into the cache.
2. Exact-match accuracy of the embedded assistant before training, after `align` (250 steps) and after `lora`
   (500 steps, starting from the align adapter): the default 750-step recipe.
3. Tokens per video vs accuracy: the same recipe with 1x1, 2x2 and 3x3 tokens per frame.
4. Cost: seconds per step, samples/s and peak RSS for batch 1 and 4 (8 frames), each in a fresh process.
Writes finetune.json and finetune.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ALIGN_STEPS, LORA_STEPS = 250, 500


def dataset(clips: int) -> dict[str, Path]:
    from adapters.data import write_synthetic_set
    from vlm.weights import cache_dir

    root = cache_dir() / "bench" / f"synth-qa-v2-{clips}"  # v2: questions no longer name each other's answers
    if not (root / "test.jsonl").exists():
        write_synthetic_set(root, clips, seed=0)
    return {"train": root / "train.jsonl", "test": root / "test.jsonl"}


def accuracy(assistant, test) -> dict:
    from adapters.evaluate import qa_accuracy

    acc = qa_accuracy(assistant, test, progress=False)
    return {k: v for k, v in acc.items() if k != "examples"} | {"samples": acc["examples"][:6]}


def recipe(data: dict, out: Path, *, pooling: int) -> dict:
    """align then lora; returns accuracies and seconds."""
    from adapters.data import load_training_data
    from adapters.train import TrainArgs, main as train
    from vlm.assistant import VideoAssistant

    test = load_training_data(data["test"])
    t = time.perf_counter()
    align = train(data["train"], out / "align", TrainArgs(stage="align", max_steps=ALIGN_STEPS, pooling=pooling,
                                                         save_every=ALIGN_STEPS), progress=False)
    t_align = time.perf_counter() - t
    acc_align = accuracy(VideoAssistant.from_adapter(out / "align"), test)
    t = time.perf_counter()
    lora = train(data["train"], out / "lora", TrainArgs(stage="lora", max_steps=LORA_STEPS, pooling=pooling,
                                                       init_from=str(out / "align"), save_every=LORA_STEPS),
                 progress=False)
    t_lora = time.perf_counter() - t
    acc_lora = accuracy(VideoAssistant.from_adapter(out / "lora"), test)
    tokens = VideoAssistant.from_adapter(out / "lora").config.num_video_tokens()
    return {"pooling": pooling, "video_tokens": tokens, "align": acc_align, "lora": acc_lora,
            "seconds": {"align": t_align, "lora": t_lora, "total": t_align + t_lora},
            "final_loss": {"align": align["losses"][-1], "lora": lora["losses"][-1]}}


# The child reports its own peak (VmHWM): getrusage/wait4 keep the largest RSS since fork, and a child forked from
# this process, which holds trained models, starts with this process's RSS before exec (4.03 GB where the training
# itself peaks at 2.7 GB).
_CHILD = """import sys
from app.cli import main
rc = main(sys.argv[1:])
print("VmHWM_kB", next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
sys.exit(rc)"""


def cost(data: dict, out: Path, batch: int, steps: int = 12) -> dict:
    """A short lora run in a fresh process (features cached beforehand): seconds/step and its peak RSS."""
    cmd = [sys.executable, "-c", _CHILD, "finetune", "--data", str(data["train"]), "--out",
           str(out / f"cost-b{batch}"), "--max-steps", str(steps), "--save-every", str(steps), "--batch-size",
           str(batch), "--quiet"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - t
    output = proc.stdout + proc.stderr
    if proc.returncode:
        raise RuntimeError(output[-2000:])
    sps = float(output.split(" samples/s")[0].split(",")[-1])
    peak_kb = int(output.split("VmHWM_kB ")[1].split()[0])
    return {"batch": batch, "steps": steps, "samples_per_s": sps, "seconds_per_step": batch / sps,
            "wall_s": wall, "peak_rss_gb": peak_kb / 1024 ** 2}


def markdown(res: dict) -> str:
    lines = ["| model | exact (all) | motion | appearance | mentions (all) |", "|---|---|---|---|---|"]
    b = res["before"]
    lines.append(f"| embedded, untrained projector | {b['exact']:.1%} | {b['exact_motion']:.1%} | "
                 f"{b['exact_appearance']:.1%} | {b['mentions']:.1%} |")
    main = next(r for r in res["recipe"] if r["pooling"] == res["default_pooling"])
    for stage, steps in (("align", ALIGN_STEPS), ("lora", LORA_STEPS)):
        a = main[stage]
        lines.append(f"| + {stage} ({steps} steps) | {a['exact']:.1%} | {a['exact_motion']:.1%} | "
                     f"{a['exact_appearance']:.1%} | {a['mentions']:.1%} |")
    lines.append(f"\nThe {ALIGN_STEPS + LORA_STEPS}-step recipe ({main['pooling']}x{main['pooling']} tokens per frame) took {main['seconds']['total'] / 60:.1f} min "
                 f"({res['train_examples']} training clips with {res['train_questions']} questions; "
                 f"{res['test_examples']} held-out questions on other clips).\n")
    if len(res["recipe"]) > 1:
        lines += ["| tokens per frame | video tokens (8 frames) | exact after the recipe | motion | appearance | "
                  "minutes |", "|---|---|---|---|---|---|"]
        for r in res["recipe"]:
            p = r["pooling"]
            lines.append(f"| {p}x{p} | {r['video_tokens']} | {r['lora']['exact']:.1%} | "
                         f"{r['lora']['exact_motion']:.1%} | {r['lora']['exact_appearance']:.1%} | "
                         f"{r['seconds']['total'] / 60:.1f} |")
        lines.append("")
    if res.get("cost"):
        lines += ["| batch (8 frames) | s/step | samples/s | peak RSS (GB) |", "|---|---|---|---|"]
        lines += [f"| {c['batch']} | {c['seconds_per_step']:.2f} | {c['samples_per_s']:.1f} | {c['peak_rss_gb']:.2f} |"
                  for c in res["cost"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from adapters.data import load_training_data
    from adapters.train import TrainArgs
    from vlm.assistant import VideoAssistant
    from vlm.weights import cache_dir

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--clips", type=int, default=400)
    p.add_argument("--skip-budget", action="store_true")
    p.add_argument("--skip-cost", action="store_true")
    p.add_argument("--cost-only", action="store_true", help="re-measure only the cost rows of an existing finetune.json")
    args = p.parse_args(argv)
    data = dataset(args.clips)
    runs = cache_dir() / "bench" / "finetune-runs"
    if args.cost_only:
        res = json.loads((args.out / "finetune.json").read_text())
        res["cost"] = [cost(data, runs, b) for b in (1, 4)]
        return write(res, args.out)
    test = load_training_data(data["test"])
    base = VideoAssistant.build()
    base.config.num_frames, base.config.perception = 8, False  # the fine-tuning prompt format
    train_rows = load_training_data(data["train"])
    res = {"train_examples": len(train_rows), "train_questions": sum(len(e.turns) // 2 for e in train_rows),
           "test_examples": len(test),
           "before": accuracy(base, test), "recipe": []}
    del base
    default = TrainArgs().pooling
    res["default_pooling"] = default
    for pooling in [default] + ([] if args.skip_budget else [p for p in (1, 2, 3) if p != default]):
        res["recipe"].append(recipe(data, runs / f"pool{pooling}", pooling=pooling))
        print(json.dumps(res["recipe"][-1]["lora"] | {"pooling": pooling}, default=str)[:300], file=sys.stderr)
    if not args.skip_cost:
        res["cost"] = [cost(data, runs, b) for b in (1, 4)]
    return write(res, args.out)


def write(res: dict, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    (out / "finetune.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    md = markdown(res)
    (out / "finetune.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
