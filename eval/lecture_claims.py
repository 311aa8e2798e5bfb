"""The lecture's claims, measured: train tiny single-frame, late-fusion, early-fusion, 3D CNN, two-stream and
CNN-LSTM models from scratch on two synthetic datasets, and compare.

    python -m eval.lecture_claims [--out eval/results] [--train 320] [--test 160] [--epochs 30]

- appearance: four classes told apart by shape and colour only (every clip moves a random way)
- motion:     four classes told apart by direction of motion only (random shape, colour and start position, so no
              single frame says which way things go)

Expected, and here to be shown rather than assumed: the single-frame model is near chance on motion, while the
3D CNN and the two-stream model (optical flow) are far above it. Writes lecture_claims.md/.json and a bar chart.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

MODELS = ("single-frame", "late-fusion", "early-fusion", "3d-cnn", "two-stream", "cnn-lstm")
APPEARANCE = [("square", "red"), ("circle", "blue"), ("triangle", "green"), ("star", "yellow")]
DIRECTIONS = ["left", "right", "up", "down"]
FRAMES, SIZE = 8, 64


def make_dataset(kind: str, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, T, 3, S, S) normalised clips and (n,) labels, rendered in memory by the synthetic generator."""
    from vlm.data.synthetic import COLOURS, SHAPES, Scene, Shape, render_frames

    rng = np.random.default_rng(seed)
    colours = [c for c in COLOURS if c != "black"]
    clips, labels = [], []
    for i in range(n):
        y = i % 4
        if kind == "appearance":
            shape, colour = APPEARANCE[y]
            direction = DIRECTIONS[rng.integers(4)]
        elif kind == "motion":
            shape, colour = str(rng.choice(SHAPES)), str(rng.choice(colours))
            direction = DIRECTIONS[y]
        else:
            raise ValueError(f"Unknown dataset {kind!r}; available: ['appearance', 'motion']")
        sh = Shape(shape, colour, float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7)), direction,
                   speed=float(rng.uniform(0.4, 0.6)), size=float(rng.uniform(0.2, 0.3)))
        scene = Scene(shapes=(sh,), width=SIZE, height=SIZE, fps=FRAMES, num_frames=FRAMES,
                      background=str(rng.choice(["grey", "dark", "sand", "sky"])), noise=4, seed=int(rng.integers(1 << 30)))
        clips.append(np.stack(list(render_frames(scene))))
        labels.append(y)
    x = torch.from_numpy(np.stack(clips)).permute(0, 1, 4, 2, 3).float().div(255).sub(0.5).div(0.5)
    return x, torch.tensor(labels)


def build(name: str):
    from vlm.encoders import build_encoder

    kw = {"num_classes": 4}
    if name in ("early-fusion", "two-stream"):
        kw["num_frames"] = FRAMES
    return build_encoder(name, **kw)


def train_eval(name: str, train, test, *, epochs: int, seed: int, batch: int = 32, lr: float = 1e-2) -> dict:
    torch.manual_seed(seed)
    model = build(name)
    if name == "two-stream":  # optical flow is fixed preprocessing: compute it once per clip, not per epoch
        flows = {"train": model.flows(train[0]), "test": model.flows(test[0])}
        run = lambda split, x, idx: model.forward_with_flows(x[idx], flows[split][idx])  # noqa: E731
    else:
        run = lambda split, x, idx: model(x[idx])  # noqa: E731
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(train[0]) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)  # converges in fewer epochs
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(train[0]), generator=gen)
        for k in range(0, len(perm), batch):
            idx = perm[k:k + batch]
            loss = F.cross_entropy(run("train", train[0], idx).logits, train[1][idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for k in range(0, len(test[0]), 64):
            idx = torch.arange(k, min(k + 64, len(test[0])))
            correct += int((run("test", test[0], idx).logits.argmax(-1) == test[1][idx]).sum())
    return {"accuracy": correct / len(test[0]), "seconds": time.perf_counter() - t0,
            "params": sum(p.numel() for p in model.parameters())}


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    xs = np.arange(len(MODELS))
    for j, kind in enumerate(("appearance", "motion")):
        ax.bar(xs + (j - 0.5) * 0.38, [results[kind][m]["accuracy"] for m in MODELS], 0.38, label=kind)
    ax.axhline(0.25, color="k", ls="--", lw=1, label="chance")
    ax.set_xticks(xs, MODELS, rotation=15)
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title("Tiny models trained from scratch: who sees appearance, who sees motion", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    from vlm.runtime import model_thread

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--train", type=int, default=320)
    p.add_argument("--test", type=int, default=160)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    @model_thread  # one OpenMP team for the whole run (see vlm.runtime)
    def run():
        t0 = time.perf_counter()
        results = {}
        for kind in ("appearance", "motion"):
            train = make_dataset(kind, args.train, args.seed)
            test = make_dataset(kind, args.test, args.seed + 1)
            results[kind] = {}
            for name in MODELS:
                results[kind][name] = train_eval(name, train, test, epochs=args.epochs, seed=args.seed)
                print(f"{kind:10s} {name:13s} {results[kind][name]['accuracy']:.1%}", file=sys.stderr)
        return results, time.perf_counter() - t0

    results, seconds = run()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lecture_claims.json").write_text(json.dumps({"results": results, "seconds": seconds,
                                                              "args": {k: str(v) for k, v in vars(args).items()}},
                                                             indent=2) + "\n")
    chart(results, args.out / "lecture_claims.png")
    md = [f"| model | params | appearance | motion |", "|---|---|---|---|"]
    md += [f"| {m} | {results['motion'][m]['params']:,} | {results['appearance'][m]['accuracy']:.0%} | "
           f"{results['motion'][m]['accuracy']:.0%} |" for m in MODELS]
    md += ["", f"Chance is 25%. {args.train} training and {args.test} test clips per dataset, {FRAMES} frames at "
               f"{SIZE}x{SIZE}, {args.epochs} epochs; {seconds / 60:.1f} minutes in all on this CPU.",
           "", "![lecture claims](lecture_claims.png)"]
    (args.out / "lecture_claims.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
