"""The reader: a LoRA that teaches the embedded LLM to answer from the perception facts, built from scratch.

    vlm reader train --out vlm/reader/smollm2-135m      # data (adapters.reader_data), LoRA training, compaction

The recipe: the embedded assistant's own config (16 frames, 2x2 tokens per frame, untrained projector kept as
built), the facts in every prompt, LoRA on the LLM only. The adapter folder is compacted to fp16 (plain peft
loads it and casts to the model's dtype), so it ships in the repository under 10 MB.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from adapters.lora import LoraSpec


@dataclass
class ReaderRecipe:
    fabricated: int = 1200          # fabricated contexts (one conversation each)
    synthetic: int = 48             # synthetic clips with speech and captions, watched by the real models
    steps: int = 400
    batch_size: int = 4
    lr: float = 1e-3
    seed: int = 0
    lora: LoraSpec = field(default_factory=lambda: LoraSpec(r=8, alpha=16))


def train_reader(out_dir: str | Path, *, real_clips: list[Path], recipe: ReaderRecipe | None = None,
                 work_dir: str | Path | None = None, progress: bool = True) -> dict:
    """Write the training set, train the LoRA, compact the adapter into out_dir; returns a summary with times."""
    from adapters.reader_data import write_reader_set
    from adapters.train import TrainArgs, main as train

    recipe = recipe or ReaderRecipe()
    out_dir = Path(out_dir)
    work = Path(work_dir or out_dir.parent / f".{out_dir.name}-work")
    t0 = time.perf_counter()
    files = write_reader_set(work / "data", fabricated=recipe.fabricated, synthetic=recipe.synthetic,
                             real_clips=real_clips, seed=recipe.seed, progress=progress)
    t_data = time.perf_counter() - t0
    args = TrainArgs(stage="lora", max_steps=recipe.steps, batch_size=recipe.batch_size, lr=recipe.lr,
                     num_frames=16, pooling=2, perception=True, train_projector=False, seed=recipe.seed,
                     save_every=max(50, recipe.steps // 6), lora=recipe.lora)
    summary = train(files["train"], work / "adapter", args, resume=True, progress=progress)
    t_train = time.perf_counter() - t0 - t_data
    compact_adapter(work / "adapter", out_dir)
    info = {"data_minutes": round(t_data / 60, 1), "train_minutes": round(t_train / 60, 1),
            "steps": summary["steps"], "final_loss": summary["losses"][-1] if summary["losses"] else None,
            "examples": summary["examples"], "recipe": {k: v for k, v in recipe.__dict__.items() if k != "lora"},
            "lora": recipe.lora.__dict__, "megabytes": round(folder_mb(out_dir), 2)}
    (out_dir / "reader_training.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    return info


def compact_adapter(src: Path, dst: Path) -> None:
    """Copy an adapter folder with its tensors in fp16 (checkpoints and logs left behind)."""
    import torch
    from safetensors.torch import load_file, save_file

    tmp = dst.with_name(f".{dst.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in src.iterdir():
        if f.suffix == ".safetensors":
            tensors = {k: v.to(torch.float16) if v.is_floating_point() else v for k, v in load_file(str(f)).items()}
            save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp / f.name))
        elif f.suffix == ".json" and f.name != "train_args.json":
            shutil.copy(f, tmp / f.name)
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2 ** 20
