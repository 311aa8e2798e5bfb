"""Spatial transforms on torch tensors: uint8 frames (T, H, W, C) -> normalised float video (T, C, H, W).

Inference is deterministic (resize shorter side, centre crop); training-time randomness lives in the callers
that ask for it (`random_crop`), never in the default path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

# EfficientNet-Lite0 comes from TensorFlow and expects (x - 0.5) / 0.5; ImageNet mean/std makes it less accurate.
TF_MEAN, TF_STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
CLIP_MEAN, CLIP_STD = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)


def to_float_video(frames: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(T, H, W, C) uint8 -> (T, C, H, W) float32 in [0, 1]."""
    x = torch.as_tensor(frames)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected frames of shape (T, H, W, 3), got {tuple(x.shape)}")
    return x.permute(0, 3, 1, 2).float().div_(255.0)


def resize_short_side(x: torch.Tensor, size: int) -> torch.Tensor:
    """(T, C, H, W) -> (T, C, H', W') with min(H', W') == size, aspect kept, antialiased."""
    h, w = x.shape[-2:]
    scale = size / min(h, w)
    new_hw = (max(size, round(h * scale)), max(size, round(w * scale)))
    if new_hw == (h, w):
        return x
    return F.interpolate(x, size=new_hw, mode="bilinear", antialias=True, align_corners=False)


def center_crop(x: torch.Tensor, size: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    if h < size or w < size:
        raise ValueError(f"cannot crop {size}x{size} from {w}x{h} frames")
    top, left = (h - size) // 2, (w - size) // 2
    return x[..., top:top + size, left:left + size]


def spatial_crops(x: torch.Tensor, size: int, num_crops: int = 3) -> list[torch.Tensor]:
    """num_crops crops spread along the longer side (1 = centre; 3 = the usual left/centre/right test views)."""
    h, w = x.shape[-2:]
    if num_crops == 1:
        return [center_crop(x, size)]
    if w >= h:
        lefts = np.linspace(0, w - size, num_crops).round().astype(int)
        top = (h - size) // 2
        return [x[..., top:top + size, left:left + size] for left in lefts]
    tops = np.linspace(0, h - size, num_crops).round().astype(int)
    left = (w - size) // 2
    return [x[..., top:top + size, left:left + size] for top in tops]


def random_crop(x: torch.Tensor, size: int, generator: torch.Generator | None = None) -> torch.Tensor:
    h, w = x.shape[-2:]
    top = int(torch.randint(0, h - size + 1, (1,), generator=generator))
    left = int(torch.randint(0, w - size + 1, (1,), generator=generator))
    return x[..., top:top + size, left:left + size]


def normalize(x: torch.Tensor, mean=TF_MEAN, std=TF_STD) -> torch.Tensor:
    m = torch.tensor(mean, dtype=x.dtype).view(-1, 1, 1)
    s = torch.tensor(std, dtype=x.dtype).view(-1, 1, 1)
    return (x - m) / s


@dataclass(frozen=True)
class VideoTransform:
    """uint8 (T, H, W, 3) -> float (T, 3, size, size): resize shorter side, centre crop, normalise."""
    size: int = 224
    mean: tuple[float, float, float] = TF_MEAN
    std: tuple[float, float, float] = TF_STD

    def __call__(self, frames: np.ndarray | torch.Tensor) -> torch.Tensor:
        return self.normalize(self.resize_crop(frames))

    def resize_crop(self, frames: np.ndarray | torch.Tensor) -> torch.Tensor:
        """(T, H, W, 3) uint8 -> (T, 3, size, size) float in [0, 1]: what the model sees, before normalising."""
        return center_crop(resize_short_side(to_float_video(frames), self.size), self.size)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return normalize(x, self.mean, self.std)

    def views(self, frames: np.ndarray | torch.Tensor, num_crops: int = 3) -> list[torch.Tensor]:
        """Test-time spatial views of one clip, each (T, 3, size, size)."""
        x = resize_short_side(to_float_video(frames), self.size)
        return [normalize(c, self.mean, self.std) for c in spatial_crops(x, self.size, num_crops)]


def collate_videos(videos: list[torch.Tensor]) -> torch.Tensor:
    """list of (T, C, H, W) -> (B, T, C, H, W); all videos must share one shape."""
    if not videos:
        raise ValueError("collate_videos needs at least one video")
    shapes = {tuple(v.shape) for v in videos}
    if len(shapes) > 1:
        raise ValueError(f"cannot batch videos of different shapes: {sorted(shapes)}")
    return torch.stack(videos)
