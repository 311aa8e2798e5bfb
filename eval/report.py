"""Classification reports: metrics, per-class table, confusion matrix PNG, most confused pairs, run metadata.

`write_report` writes report.json + report.md + confusion.png into a run folder; `compare_runs` diffs two.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch


def metrics(scores: torch.Tensor, targets: list[int], num_classes: int) -> dict:
    """Top-1, top-5, mean per-class accuracy, per-class accuracy, confusion matrix (rows = truth)."""
    scores = scores.float()
    t = torch.tensor(targets)
    pred = scores.argmax(-1)
    k5 = min(5, num_classes)
    top5 = (scores.topk(k5, dim=-1).indices == t[:, None]).any(-1)
    conf = np.zeros((num_classes, num_classes), dtype=int)
    for a, b in zip(t.tolist(), pred.tolist()):
        conf[a, b] += 1
    support = conf.sum(1)
    per_class = np.where(support > 0, np.diag(conf) / np.maximum(support, 1), np.nan)
    return {"top1": float((pred == t).float().mean()), "top5": float(top5.float().mean()),
            "mean_class_accuracy": float(np.nanmean(per_class)),
            "per_class": [None if np.isnan(x) else float(x) for x in per_class],  # None: no clips of that class
            "support": support.tolist(), "confusion": conf.tolist(), "predictions": pred.tolist()}


def confused_pairs(conf: list[list[int]], classes: list[str], k: int = 10) -> list[tuple[str, str, int]]:
    m = np.array(conf)
    pairs = [(classes[i], classes[j], int(m[i, j])) for i in range(len(m)) for j in range(len(m)) if i != j and m[i, j]]
    return sorted(pairs, key=lambda x: -x[2])[:k]


def plot_confusion(conf: list[list[int]], classes: list[str], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = np.array(conf, dtype=float)
    norm = m / np.maximum(m.sum(1, keepdims=True), 1)
    n = len(classes)
    fig, ax = plt.subplots(figsize=(max(5, 0.42 * n + 2), max(4.5, 0.42 * n + 1.5)))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), classes, rotation=70, ha="right", fontsize=8)
    ax.set_yticks(range(n), classes, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    for i in range(n):
        for j in range(n):
            if m[i, j]:
                ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out_dir: Path, *, dataset, scores: torch.Tensor, meta: dict, skipped: list[str]) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [dataset.classes.index(s.label) for s in dataset.samples]
    m = metrics(scores, targets, len(dataset.classes))
    pairs = confused_pairs(m["confusion"], dataset.classes)
    report = {
        "dataset": dataset.name, "num_clips": len(dataset.samples), "num_classes": len(dataset.classes),
        "chance": 1 / len(dataset.classes), "top1": m["top1"], "top5": m["top5"],
        "mean_class_accuracy": m["mean_class_accuracy"],
        "per_class": {c: {"accuracy": a, "support": s, "text": dataset.texts[c]}
                      for c, a, s in zip(dataset.classes, m["per_class"], m["support"])},
        "most_confused": [{"true": a, "predicted": b, "count": n} for a, b, n in pairs],
        "confusion": m["confusion"], "classes": dataset.classes,
        "clips": [{"path": str(s.path), "label": s.label, "predicted": dataset.classes[p],
                   "top5": [dataset.classes[i] for i in scores[k].topk(min(5, len(dataset.classes))).indices.tolist()]}
                  for k, (s, p) in enumerate(zip(dataset.samples, m["predictions"]))],
        "skipped": skipped, "meta": meta,
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    plot_confusion(m["confusion"], dataset.classes, out_dir / "confusion.png",
                   f"{meta.get('method', {}).get('method', '')} on {dataset.name}: top-1 {m['top1']:.1%}")
    (out_dir / "report.md").write_text(markdown(report))
    return report


def markdown(r: dict) -> str:
    lines = [f"# Zero-shot: {r['meta'].get('method', {}).get('method', '?')} on {r['dataset']}", "",
             f"{r['num_clips']} clips, {r['num_classes']} classes (chance {r['chance']:.1%}).", "",
             "| top-1 | top-5 | mean per-class |", "|---|---|---|",
             f"| {r['top1']:.1%} | {r['top5']:.1%} | {r['mean_class_accuracy']:.1%} |", "",
             "| class | text | accuracy | clips |", "|---|---|---|---|"]
    for c, v in r["per_class"].items():
        acc = "–" if v["accuracy"] is None else f"{v['accuracy']:.0%}"
        lines.append(f"| {c} | {v['text']} | {acc} | {v['support']} |")
    if r["most_confused"]:
        lines += ["", "Most confused (true → predicted, clips):", ""]
        lines += [f"- {p['true']} → {p['predicted']}: {p['count']}" for p in r["most_confused"]]
    if r["skipped"]:
        lines += ["", f"Skipped {len(r['skipped'])} clip(s):", ""] + [f"- {s}" for s in r["skipped"]]
    lines += ["", "![confusion matrix](confusion.png)", "", "Run metadata:", "", "```json",
              json.dumps(r["meta"], indent=2), "```", ""]
    return "\n".join(lines)


def compare_runs(run1: Path, run2: Path) -> str:
    """Per-class accuracy difference between two runs' report.json (run2 minus run1)."""
    a, b = (json.loads((Path(r) / "report.json").read_text()) for r in (run1, run2))
    lines = [f"{'class':28s} {'run1':>7s} {'run2':>7s} {'diff':>7s}"]
    for c in sorted(set(a["per_class"]) | set(b["per_class"])):
        x = a["per_class"].get(c, {}).get("accuracy")
        y = b["per_class"].get(c, {}).get("accuracy")
        fx = "-" if x is None else f"{x:.0%}"
        fy = "-" if y is None else f"{y:.0%}"
        d = "" if x is None or y is None else f"{(y - x) * 100:+.0f}"
        lines.append(f"{c[:28]:28s} {fx:>7s} {fy:>7s} {d:>7s}")
    for key in ("top1", "top5", "mean_class_accuracy"):
        lines.append(f"{key:28s} {a[key]:>7.1%} {b[key]:>7.1%} {(b[key] - a[key]) * 100:>+7.1f}")
    return "\n".join(lines)
