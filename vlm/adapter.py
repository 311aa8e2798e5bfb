"""Adapter folders written by `vlm finetune`, read by chat, the app and the evaluation harness.

    DIR/videollm_config.json      the VideoLLMConfig it was trained with (encoder, pooling, frames, prompt format)
    DIR/projector.safetensors     the trained multi_modal_projector
    DIR/adapter_config.json       LoRA on the LLM, plain peft (loadable with PeftModel.from_pretrained)
    DIR/adapter_model.safetensors
    DIR/encoder.safetensors       only when the encoder was trained too
"""
from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from vlm.config import VideoLLMConfig

CONFIG_NAME = "videollm_config.json"
PROJECTOR_NAME = "projector.safetensors"
ENCODER_NAME = "encoder.safetensors"


def adapter_config(adapter_dir: str | Path) -> VideoLLMConfig:
    d = Path(adapter_dir)
    if not (d / CONFIG_NAME).exists():
        raise FileNotFoundError(f"{d}: not an adapter folder (no {CONFIG_NAME}); write one with `vlm finetune`")
    return VideoLLMConfig.load(d / CONFIG_NAME)


def save_adapter(model, out_dir: str | Path, *, language_model=None, train_encoder: bool = False) -> Path:
    """Write the projector, the LoRA weights of `language_model` (a peft model, if any) and the config."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.config.save(out / CONFIG_NAME)
    proj = {k: v.detach().contiguous().cpu() for k, v in model.multi_modal_projector.state_dict().items()}
    save_file(proj, str(out / PROJECTOR_NAME))
    if train_encoder:
        enc = {k: v.detach().contiguous().cpu() for k, v in model.vision_tower.state_dict().items()}
        save_file(enc, str(out / ENCODER_NAME))
    if language_model is not None and hasattr(language_model, "peft_config"):
        language_model.save_pretrained(out)  # adapter_config.json + adapter_model.safetensors
    return out


def check_compatible(config: VideoLLMConfig, trained: VideoLLMConfig, adapter_dir) -> None:
    fields = ("llm", "encoder", "encoder_kwargs", "pooling", "projector")
    diff = [f"{f}: model {getattr(config, f)!r} vs adapter {getattr(trained, f)!r}" for f in fields
            if getattr(config, f) != getattr(trained, f)]
    if diff:
        raise ValueError(f"{adapter_dir}: adapter does not fit this model ({'; '.join(diff)})")


@torch.no_grad()
def load_adapter_weights(model, adapter_dir: str | Path, *, merge: bool = True) -> None:
    """Load projector (+ encoder) weights and the LoRA into model (a VideoLLM built from the adapter's config).
    merge=True folds the LoRA into the LLM's weights: no per-token cost at inference."""
    from peft import PeftModel

    d = Path(adapter_dir)
    check_compatible(model.config, adapter_config(d), d)
    model.multi_modal_projector.load_state_dict(load_file(str(d / PROJECTOR_NAME)))
    if (d / ENCODER_NAME).exists():
        model.vision_tower.load_state_dict(load_file(str(d / ENCODER_NAME)))
    if (d / "adapter_config.json").exists():
        lm = PeftModel.from_pretrained(model.language_model, str(d))
        model.language_model = lm.merge_and_unload() if merge else lm
