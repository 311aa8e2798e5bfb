"""The evaluation loop: features per clip (vlm.features: test-time views, a per-clip cache, decode prefetching,
sharding), then scores and a report. Under `accelerate launch` each process takes a shard of the clips and process
0 gathers the features to score and report:

    accelerate launch --multi_gpu --num_processes 2 -m vlm eval zero-shot ...   # also on CPU-only machines (gloo)
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from vlm.features import (ClipFeatures, Dataset, FeatureCache, ViewConfig, decode_views, extract_features,  # noqa: F401
                          to_views, view_indices)
from vlm.runtime import partial_state, submit


def evaluate(dataset: Dataset, method, views: ViewConfig, out_dir: Path, *, use_cache: bool = True,
             progress: bool = True, skip_bad: bool = False, seed: int = 0) -> dict | None:
    """Features (cached, sharded) -> scores -> report in out_dir. Returns the report on process 0, else None."""
    import platform
    import time

    import vlm
    from eval.report import write_report

    torch.manual_seed(seed)
    t0 = time.perf_counter()
    feats, problems = extract_features(dataset, method, views, use_cache=use_cache, progress=progress,
                                       skip_bad=skip_bad)
    t_features = time.perf_counter() - t0
    if not partial_state().is_main_process:
        return None
    done = {f.index for f in feats}
    if len(done) < len(dataset):  # clips that failed to decode (skip_bad): evaluate the rest
        dataset = Dataset(dataset.name, [s for i, s in enumerate(dataset.samples) if i in done], dataset.classes,
                          dataset.texts, dataset.skipped)
    scores = submit(lambda: method.scores([f.tensors for f in feats], dataset)).result()
    meta = {"method": method.describe(), "views": asdict(views), "seed": seed,
            "frame_indices": {str(dataset.samples[k].path): f.meta.get("frame_indices") for k, f in enumerate(feats)},
            "versions": {"vlm": getattr(vlm, "__version__", "0.1.0"), "torch": torch.__version__,
                         "python": platform.python_version()},
            "seconds": {"features": round(t_features, 2), "total": round(time.perf_counter() - t0, 2)},
            "processes": partial_state().num_processes}
    return write_report(out_dir, dataset=dataset, scores=scores, meta=meta, skipped=dataset.skipped + problems)
