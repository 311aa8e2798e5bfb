"""From a path to model-ready pixels: probe, sample, decode only the chosen frames, transform."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vlm.video.io import VideoInfo, VideoReader
from vlm.video.sampling import FrameSelection, sample_frames
from vlm.video.transforms import VideoTransform


@dataclass
class VideoClip:
    pixel_values: torch.Tensor  # (T, C, H, W) normalised
    frames: np.ndarray          # (T, h, w, 3) uint8 as decoded (possibly scaled down by the decoder)
    selection: FrameSelection
    info: VideoInfo

    @property
    def timestamps(self) -> np.ndarray:
        return self.selection.timestamps


def load_clip(path, *, num_frames: int = 16, sampler: str = "uniform", transform: VideoTransform | None = None,
              reader: VideoReader | None = None, **sampler_kwargs) -> VideoClip:
    """Sample num_frames frames of the video at path and transform them; never decodes the rest.

    The decoder scales frames down to the transform's size on the fly, so a 4K file costs about what a small one does.
    """
    transform = transform or VideoTransform()
    reader = reader or VideoReader(path, short_side=transform.size)
    selection = sample_frames(reader, sampler=sampler, num_frames=num_frames, **sampler_kwargs)
    frames = reader.get_batch(selection.indices)
    return VideoClip(transform(frames), frames, selection, reader.info)
