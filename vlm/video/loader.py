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


def load_views(path, *, clip_len: int = 8, stride: int = 1, num_clips: int = 3, num_crops: int = 1,
               transform: VideoTransform | None = None, reader: VideoReader | None = None) -> torch.Tensor:
    """Multi-view test clips: num_clips dense clips x num_crops spatial crops -> (num_clips * num_crops, T, C, S, S).

    Score each view and average the predictions (the usual "test on several clips and average").
    All views' frames are decoded in one forward pass over the file.
    """
    from vlm.video.sampling import multi_view_indices

    transform = transform or VideoTransform()
    reader = reader or VideoReader(path, short_side=transform.size)
    idx = multi_view_indices(len(reader), clip_len, stride, num_clips)          # (K, T)
    unique, inverse = np.unique(idx, return_inverse=True)
    frames = reader.get_batch(unique)[inverse.reshape(idx.shape)]               # (K, T, h, w, 3)
    views = [v for clip in frames for v in transform.views(clip, num_crops)]    # K * crops of (T, C, S, S)
    return torch.stack(views)
