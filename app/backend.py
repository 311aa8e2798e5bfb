"""The one seam between the UI and the models. Tests replace `load_assistant` with a fake or a tiny model.

The assistant loads once per process (`st.cache_resource`) and is shared by every browser session; its compute
runs on vlm's single model thread, so concurrent sessions take turns instead of fighting over two cores.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass

import streamlit as st

from vlm.runtime import submit

ENCODER_CHOICES = ("efficientnet-lite0",)  # pretrained, so meaningful for chat; any CLIP/SigLIP dir also works
POOLING_CHOICES = {"2x2 per frame": 2, "1x1 per frame": 1, "3x3 per frame": 3}


@dataclass(frozen=True)
class ModelSettings:
    """What needs a different model (cached separately); per-question settings live in the page."""
    encoder: str = "efficientnet-lite0"
    pooling: int = 2
    adapter: str = ""   # an adapter folder from `vlm finetune` (its own pooling and frames then apply)
    reader: bool = True  # the embedded LLM with the reader (vlm.reader), for the embedded encoder and pooling


_lock = threading.Lock()
_builds: dict[ModelSettings, Future] = {}


def prefetch(settings: ModelSettings) -> Future:
    """Start building the assistant on the model thread now, so the page can draw (and take a question) while
    the models load; `load_assistant` then waits for the same build."""
    with _lock:
        if settings not in _builds:
            _builds[settings] = submit(_build, settings)
        return _builds[settings]


def _build(settings: ModelSettings):
    from vlm.assistant import VideoAssistant
    from vlm.config import VideoLLMConfig
    from vlm.pooling import PoolingConfig

    if settings.adapter:
        return VideoAssistant.from_adapter(settings.adapter)
    config = VideoLLMConfig(encoder=settings.encoder, pooling=PoolingConfig(spatial=settings.pooling))
    if settings.reader and config == VideoLLMConfig():  # the reader was trained on the embedded configuration
        return VideoAssistant.default(reader=True)
    return VideoAssistant.build(config)


@st.cache_resource(show_spinner="Loading the models (once per process)…", max_entries=2)
def load_assistant(settings: ModelSettings):
    return prefetch(settings).result()


@st.cache_resource(show_spinner="Loading the text model for zero-shot ranking…")
def load_ranker():
    """The zero-shot harness's `semantic` method (its text side; frames come from the watched video)."""
    from eval.zeroshot import build_method

    return build_method("semantic")


def rank_labels(watched, labels: list[str]) -> list[tuple[str, float]]:
    """Labels ranked for the watched video, best first, with the semantic method's scores."""
    ranker = load_ranker()
    probs = watched.frame_probs.mean(0, keepdim=True)                         # (1, 1000)
    scores = submit(ranker.score_texts, probs, labels).result()[0]
    return sorted(zip(labels, scores.tolist()), key=lambda x: -x[1])


@st.cache_resource(show_spinner="Loading the planner LLM…")
def load_planner():
    from vlm.generation import Planner

    return Planner()


def generate_video(prompt: str, out_dir, *, frames: int, fps: float, size: int, seed: int):
    """Plan with the LLM, render, verify (re-planning once if the video misses its plan)."""
    from pathlib import Path

    from vlm.generation import generate

    out = Path(out_dir) / f"generated-{abs(hash((prompt, frames, fps, size, seed))) % 10**8}.mp4"
    return generate(prompt, out, planner=load_planner(), num_frames=frames, fps=fps, size=size, seed=seed)
