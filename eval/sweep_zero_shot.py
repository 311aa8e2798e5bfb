"""Sweep the semantic method's settings on a dataset and write every result (what was tried, not just the best).

    python -m eval.sweep_zero_shot ../shared/videos/manifest.csv --split actions [--out eval/results]

Features come from the harness's cache, so each view setting decodes and encodes once; the other settings only
re-score. Writes zero_shot_sweep.json and zero_shot_sweep.md.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

TEMPLATE_SETS = {
    "plain": ("{}",),
    "video-of-person": ("a video of a person {}.",),
    "ensemble4": ("a video of a person {}.", "a photo of a person {}.", "a video of {}.", "{}"),
    "ensemble8": ("a video of a person {}.", "a photo of a person {}.", "a video of {}.", "{}",
                  "a person is {}.", "someone {}.", "an example of {}.", "a clip of {}."),
}
IMAGENET_TEXTS = ("name", "name+description")
PRIOR_CORRECTIONS = (0.0, 1.0)


def main(argv: list[str] | None = None) -> int:
    from eval.datasets import load_dataset
    from eval.harness import ViewConfig, extract_features
    from eval.report import metrics
    from eval.zeroshot import build_method

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--split")
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    args = p.parse_args(argv)
    dataset = load_dataset(args.data, split=args.split)
    targets = [dataset.classes.index(s.label) for s in dataset.samples]
    method = build_method("semantic")
    rows = []
    for frames, clips, crops in [(8, 1, 1), (16, 1, 1), (8, 3, 1), (8, 1, 3), (8, 3, 3)]:
        views = ViewConfig(frames, clips, crops)
        feats, _ = extract_features(dataset, method, views, progress=False)
        tensors = [f.tensors for f in feats]
        for itext, top_k, tset, prior in itertools.product(IMAGENET_TEXTS, [1, 5, 10, 20, 1000], TEMPLATE_SETS,
                                                            PRIOR_CORRECTIONS):
            if method.imagenet_text != itext:
                method.__dict__.pop("imagenet_embeddings", None)
            method.top_k, method.templates, method.imagenet_text = top_k, TEMPLATE_SETS[tset], itext
            method.prior_correction = prior
            m = metrics(method.scores(tensors, dataset), targets, len(dataset.classes))
            rows.append({"frames": frames, "clips": clips, "crops": crops, "top_k": top_k, "templates": tset,
                         "imagenet_text": itext, "prior": prior, "top1": m["top1"], "top5": m["top5"]})
            print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "zero_shot_sweep.json").write_text(json.dumps({"dataset": dataset.name, "rows": rows}, indent=2))
    md = ["Mean top-1 / top-5 over all other settings, per value of each setting:", "",
          "| setting | value | mean top-1 | mean top-5 | runs |", "|---|---|---|---|---|"]
    for key in ("frames", "clips", "crops", "top_k", "templates", "imagenet_text", "prior"):
        for value in dict.fromkeys(r[key] for r in rows):
            sel = [r for r in rows if r[key] == value]
            md.append(f"| {key} | {value} | {sum(r['top1'] for r in sel) / len(sel):.1%} | "
                      f"{sum(r['top5'] for r in sel) / len(sel):.1%} | {len(sel)} |")
    best = max(r["top1"] for r in rows)
    md += ["", f"Best single setting: top-1 {best:.1%} ({sum(r['top1'] == best for r in rows)} of {len(rows)} "
           f"settings reach it); best top-5 {max(r['top5'] for r in rows):.1%}."]
    (args.out / "zero_shot_sweep.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
