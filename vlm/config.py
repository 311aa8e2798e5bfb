"""The VideoLLM config: which LLM, encoder, pooling and projector, and the one place token counts come from."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from vlm.constants import VIDEO_TOKEN
from vlm.pooling import PoolingConfig
from vlm.video.transforms import VideoTransform
from vlm.weights import DEFAULT_LLM


@dataclass
class VideoLLMConfig:
    llm: str = DEFAULT_LLM              # embedded tag, hub id or local dir (relative to a saved model's folder)
    encoder: str = "efficientnet-lite0"
    encoder_kwargs: dict = field(default_factory=dict)  # e.g. {"image_size": 224, "pretrained": True}
    pooling: PoolingConfig = field(default_factory=PoolingConfig)
    projector: str = "mlp2x_gelu"
    num_frames: int = 16                # frames sampled per video by default
    sampler: str = "uniform"
    video_token: str = VIDEO_TOKEN
    video_token_id: int | None = None   # set when the processor adds the token to the tokenizer
    perception: bool = True             # also give the LLM the text perception context (see vlm.perception)
    perception_parts: tuple[str, ...] = ("speech", "text", "people")  # beyond the always-on vision facts
    context_tokens: int = 1024          # budget for the perception context (SmolLM2 reads 8192 tokens in all)

    def __post_init__(self):
        if isinstance(self.pooling, dict):
            self.pooling = PoolingConfig(**self.pooling)
        self.perception_parts = tuple(self.perception_parts)

    # --- token geometry: the only place the number of video tokens is computed ----------------------------
    def _encoder(self):
        from vlm.encoders import encoder_class, encoder_kwargs

        return encoder_class(self.encoder), encoder_kwargs(self.encoder, self.encoder_kwargs)

    def video_grid(self, num_frames: int | None = None) -> tuple[int, int, int]:
        """(t, h, w) of the pooled video tokens for a clip of num_frames frames."""
        cls, kwargs = self._encoder()
        return self.pooling.output_grid(cls.output_grid(num_frames=num_frames or self.num_frames, **kwargs))

    def num_video_tokens(self, num_frames: int | None = None) -> int:
        t, h, w = self.video_grid(num_frames)
        return t * h * w

    def transform(self) -> VideoTransform:
        cls, kwargs = self._encoder()
        return cls.default_transform(**kwargs)

    # --- (de)serialisation -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "VideoLLMConfig":
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - valid)
        if unknown:
            raise ValueError(f"Unknown VideoLLMConfig keys {unknown}; valid keys: {sorted(valid)}")
        return cls(**d)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "VideoLLMConfig":
        try:
            d = json.loads(Path(path).read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not valid JSON ({e})") from None
        if not isinstance(d, dict):
            raise ValueError(f"{path}: expected a JSON object, got {type(d).__name__}")
        return cls.from_dict(d)

    def replace(self, **changes) -> "VideoLLMConfig":
        return replace(self, **changes)
