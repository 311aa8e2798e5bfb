import numpy as np
import pytest
import torch

from vlm.video.transforms import (VideoTransform, center_crop, collate_videos, resize_short_side, spatial_crops,
                                  to_float_video)


def test_transform_pipeline_shapes_and_normalisation():
    frames = np.full((5, 48, 80, 3), 255, np.uint8)
    x = VideoTransform(size=32)(frames)
    assert tuple(x.shape) == (5, 3, 32, 32)
    assert torch.allclose(x, torch.ones_like(x))  # (1 - 0.5) / 0.5


def test_resize_short_side_keeps_aspect():
    x = torch.rand(2, 3, 60, 120)
    assert tuple(resize_short_side(x, 30).shape) == (2, 3, 30, 60)
    assert tuple(resize_short_side(torch.rand(1, 3, 120, 60), 30).shape) == (1, 3, 60, 30)


def test_center_crop_takes_the_middle():
    x = torch.arange(36.0).view(1, 1, 6, 6)
    assert center_crop(x, 2).flatten().tolist() == [14.0, 15.0, 20.0, 21.0]
    with pytest.raises(ValueError, match="cannot crop"):
        center_crop(x, 7)


def test_three_crops_span_the_long_side():
    x = torch.arange(10.0).view(1, 1, 1, 10).expand(1, 1, 4, 10)
    crops = spatial_crops(x, 4, 3)
    assert [c[0, 0, 0, 0].item() for c in crops] == [0.0, 3.0, 6.0]


def test_collate_checks_shapes():
    a, b = torch.zeros(4, 3, 8, 8), torch.zeros(3, 3, 8, 8)
    assert tuple(collate_videos([a, a]).shape) == (2, 4, 3, 8, 8)
    with pytest.raises(ValueError, match="different shapes"):
        collate_videos([a, b])
    with pytest.raises(ValueError, match=r"\(T, H, W, 3\)"):
        to_float_video(np.zeros((4, 8, 8), np.uint8))
