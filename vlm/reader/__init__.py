"""The reader shipped with vlm: a LoRA adapter (plain peft, fp16) that teaches the embedded SmolLM2-135M to answer
from the perception facts. Built by `vlm reader train` (adapters.reader); the assistant loads it by default."""
from __future__ import annotations

from pathlib import Path

READER_DIR = Path(__file__).with_name("smollm2-135m")


def default_reader_dir() -> Path:
    if not (READER_DIR / "videollm_config.json").exists():
        raise FileNotFoundError(f"{READER_DIR}: the reader adapter is missing; rebuild it with `vlm reader train`")
    return READER_DIR
